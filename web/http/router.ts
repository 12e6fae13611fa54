// Mounts routes on the uWS app and runs the request pipeline: copy out of `req`,
// authenticate, read and size-check the body, parse, validate, handle, reply corked.
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Principal } from '../ports/access-port.ts';
import { parseJsonInput, type JsonInput } from '../json-input.ts';
import { clientIp } from '../connection-limits.ts';
import type { RateLimiter } from '../rate-limits/rate-limiter.ts';
import { httpTierOf, type Tier } from '../protocol/rate-limit-tiers.ts';
import { thrownFailureOf } from '../../storage/domain/errors.ts';
import { errorReply, failureReply, forbidden, unauthorized, type Reply } from './reply.ts';
import type { HttpMethod, RequestContext, Route, RouteDeps } from './route.ts';
import type { WebTelemetry } from '../web-telemetry.ts';
import { serializeHttpReply } from '../frame-serializer.ts';

export interface RouterOptions {
  maxPayloadBytes: number;
  /** Token buckets for the routes of the reference's tiers (web/rate-limits/tiers.ts). */
  limiter?: RateLimiter;
  trustProxy?: boolean;
  limitAdmins?: boolean;
  /** True once the server is closing: keep-alive connections outlive the listen socket, so they get 503 and are closed. */
  isClosing(): boolean;
  telemetry?: WebTelemetry;
}

interface SendState {
  aborted: boolean;
  done?: boolean;
  /** Counts the answer once, by route pattern and status. */
  record?: (status: number) => void;
}

const statusLines: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 204: '204 No Content', 400: '400 Bad Request', 401: '401 Unauthorized',
  403: '403 Forbidden', 404: '404 Not Found', 409: '409 Conflict', 413: '413 Payload Too Large',
  422: '422 Unprocessable Entity', 429: '429 Too Many Requests', 500: '500 Internal Server Error',
  501: '501 Not Implemented', 503: '503 Service Unavailable',
  507: '507 Insufficient Storage',
};

/** What the pipeline keeps of a request: plain values, because uWS reuses `req` after the handler returns. */
interface CopiedRequest {
  method: HttpMethod;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  authorization: string;
  host: string;
  contentLength: number | null;
  /** The peer, or the first X-Forwarded-For hop with trust_proxy. */
  clientIp: string;
}

export function mountRoutes(app: TemplatedApp, routes: readonly Route[], deps: RouteDeps, options: RouterOptions): void {
  for (const route of routes) {
    const names = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map((match) => match[1]!);
    const tier = httpTierOf(route.method, route.path);
    const handler = (res: HttpResponse, req: HttpRequest) => {
      const copied = copyRequest(res, req, route.method, names, options.trustProxy === true);
      void runPipeline(res, copied, route, deps, options, tier);
    };
    const methods = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'del' } as const;
    app[methods[route.method]](route.path, handler);
  }
  // Unknown routes, as in the reference.
  app.any('/*', (res) => {
    send(res, { aborted: false, record: (status) => options.telemetry?.httpRequest('unknown', 'any', status) }, errorReply('AC_ERR_NOT_FOUND'), options.isClosing());
  });
}

function copyRequest(res: HttpResponse, req: HttpRequest, method: HttpMethod, names: string[], trustProxy: boolean): CopiedRequest {
  const params: Record<string, string> = {};
  names.forEach((name, index) => {
    params[name] = safeDecode(req.getParameter(index));
  });
  const length = req.getHeader('content-length');
  return {
    method,
    path: req.getUrl(),
    params,
    query: new URLSearchParams(req.getQuery() ?? ''),
    authorization: req.getHeader('authorization'),
    host: req.getHeader('host'),
    contentLength: length === '' ? null : Number(length),
    clientIp: clientIp(Buffer.from(res.getRemoteAddressAsText()).toString(), req.getHeader('x-forwarded-for'), trustProxy),
  };
}

async function runPipeline(
  res: HttpResponse,
  request: CopiedRequest,
  route: Route,
  deps: RouteDeps,
  options: RouterOptions,
  tier: Tier | null,
): Promise<void> {
  const state: SendState = { aborted: false, record: (status) => options.telemetry?.httpRequest(route.path, route.method, status) };
  res.onAborted(() => {
    state.aborted = true;
  });
  if (options.isClosing()) return send(res, state, errorReply('AC_ERR_QUEUE_CLOSED'), true);

  const auth = authenticate(request, route, deps);
  if ('status' in auth) return send(res, state, auth);
  if (tier && options.limiter) {
    const denied = rateLimit(options.limiter, tier, auth.principal, request.clientIp, options.limitAdmins === true);
    if (denied) return send(res, state, denied);
  }

  let body: Record<string, unknown> = {};
  if (route.body) {
    if (request.contentLength !== null && request.contentLength > options.maxPayloadBytes) {
      return send(res, state, tooLarge(options.maxPayloadBytes), true);
    }
    const raw = await readBody(res, options.maxPayloadBytes);
    if (state.aborted) return;
    if (raw === 'too_large') return send(res, state, tooLarge(options.maxPayloadBytes), true);
    let parsed: unknown = {};
    if (raw.length > 0) {
      const input = parseJsonInput(raw);
      if (!input.ok) return send(res, state, jsonInputReply(input));
      parsed = input.value;
    }
    const checked = deps.validator.httpInput(route.body, parsed);
    if (!checked.ok) {
      options.telemetry?.validationError('http');
      return send(res, state, errorReply('AC_ERR_VALIDATION', { errors: checked.errors }));
    }
    body = checked.value;
  } else if (route.query) {
    const checked = deps.validator.httpInput(route.query, Object.fromEntries(request.query));
    if (!checked.ok) return send(res, state, errorReply('AC_ERR_VALIDATION', { errors: checked.errors }));
    body = checked.value;
  }

  const ctx: RequestContext = {
    method: request.method,
    path: request.path,
    params: request.params,
    query: request.query,
    body,
    principal: auth.principal,
    host: request.host || `127.0.0.1:${deps.port()}`,
  };
  let result: Reply;
  try {
    // The one place a body gets its type: the route's own schema has just passed it.
    result = await (route.handle as (ctx: RequestContext) => Reply | Promise<Reply>)(ctx);
  } catch (error) {
    // A write the store refused (a full disk: 507) is an answer with its own code, not an internal error.
    const refused = thrownFailureOf(error);
    if (refused) {
      deps.logger.warning('write refused by storage', { code: refused.code, method: route.method, path: route.path, detail: refused.detail });
      result = failureReply(refused);
    } else {
      deps.logger.error('route handler threw', { code: 'AC_ERR_INTERNAL', method: route.method, path: route.path, error: String(error) });
      deps.hub.storage?.storageError(error);
      result = errorReply('AC_ERR_INTERNAL');
    }
  }
  send(res, state, result);
}

function authenticate(request: CopiedRequest, route: Route, deps: RouteDeps): { principal: Principal | null } | Reply {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.authorization)?.[1]?.trim();
  const token = bearer ?? (route.queryToken ? request.query.get('token') ?? undefined : undefined);
  if (route.auth === 'none') return { principal: token ? deps.hub.access.authenticate(token) : null };
  if (!token) return unauthorized(!route.queryToken);
  const principal = deps.hub.access.authenticate(token);
  if (!principal) return unauthorized(!route.queryToken);
  if (route.auth === 'admin' && principal.scope !== 'admin') return forbidden();
  return { principal };
}

/** A 429 when the caller's bucket for the tier is empty: agents by id, admins only when limited, everyone else by IP. */
function rateLimit(limiter: RateLimiter, tier: Tier, principal: Principal | null, ip: string, limitAdmins: boolean): Reply | null {
  const subject = principal === null
    ? limiter.subject(`ip:${ip}`)
    : principal.scope === 'agent'
      ? limiter.agentSubject(principal.agentId)
      : limiter.subject(`admin:${principal.name}`, { exempt: !limitAdmins });
  const check = limiter.check(subject, 'http', tier);
  if (check.ok) return null;
  const seconds = Math.max(1, Math.ceil(check.retryAfterMs / 1000));
  return { ...errorReply('AC_ERR_RATE_LIMITED', { retry_after_ms: check.retryAfterMs, tier: check.tier }), headers: { 'retry-after': String(seconds) } };
}

/** Collects the body, copying each chunk (uWS neuters it after the callback). */
function readBody(res: HttpResponse, maxBytes: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    res.onData((chunk, isLast) => {
      if (!over) {
        size += chunk.byteLength;
        if (size > maxBytes) over = true;
        else chunks.push(Buffer.from(chunk.slice(0)));
      }
      if (over) {
        chunks.length = 0;
        // Answer at once; the connection is closed after the reply, so the rest is never read.
        resolve('too_large');
      } else if (isLast) {
        resolve(Buffer.concat(chunks, size));
      }
    });
  });
}

function jsonInputReply(input: JsonInput & { ok: false }): Reply {
  switch (input.problem) {
    case 'invalid_json':
      return errorReply('AC_ERR_INVALID_JSON');
    case 'too_deep':
      return errorReply('AC_ERR_JSON_TOO_DEEP', { max_depth: input.maxDepth });
    case 'invalid_unicode':
      return errorReply('AC_ERR_VALIDATION', { errors: input.errors });
  }
}

const tooLarge = (maxBytes: number) => errorReply('AC_ERR_PAYLOAD_TOO_LARGE', { max_bytes: maxBytes });

function send(res: HttpResponse, state: SendState, result: Reply, closeConnection = false): void {
  if (state.aborted || state.done) return;
  state.done = true;
  state.record?.(result.status);
  const payload = result.status === 204 ? '' : result.text ? result.text.body : serializeHttpReply(result.schema, result.body);
  res.cork(() => {
    res.writeStatus(statusLines[result.status] ?? `${result.status} Error`);
    res.writeHeader('content-type', result.text ? result.text.contentType : 'application/json');
    for (const [key, value] of Object.entries(result.headers ?? {})) res.writeHeader(key, value);
    res.end(payload, closeConnection);
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

