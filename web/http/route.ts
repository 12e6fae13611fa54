// What a route is: method, uWS path pattern, who may call it, what it reads, and its handler.
import type { Logger } from 'winston';
import type { HubServices } from '../ports/hub-services.ts';
import type { Principal } from '../ports/access-port.ts';
import type { HttpInput, HttpSchemaName } from '../protocol/index.ts';
import type { WireValidator } from '../validation.ts';
import type { Reply } from './reply.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * none: open, as in the reference. agent: any valid token. admin: an admin token
 * (the reference had no admin scope, quirk 10). `queryToken` also accepts `?token=`.
 */
export type RouteAuth = 'none' | 'agent' | 'admin';

export interface RequestContext<B = Record<string, unknown>> {
  method: HttpMethod;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Validated against the route's body or query schema when it names one, and typed by it. */
  body: B;
  principal: Principal | null;
  /** The Host header, for URLs handed back to clients. */
  host: string;
}

interface RouteBase {
  method: HttpMethod;
  /** uWS pattern: static segments and `:param`s; static segments win over params. */
  path: string;
  auth: RouteAuth;
  queryToken?: boolean;
}

type Handler<B> = (ctx: RequestContext<B>) => Reply | Promise<Reply>;

/** A route that reads a JSON body: its handler gets the body as its schema types it. */
type BodyRoute<N extends HttpSchemaName> = RouteBase & { body: N; query?: never; handle: Handler<HttpInput<N>> };
/** A route that reads its query string through a schema. */
type QueryRoute<N extends HttpSchemaName> = RouteBase & { query: N; body?: never; handle: Handler<HttpInput<N>> };
type PlainRoute = RouteBase & { body?: never; query?: never; handle: Handler<Record<string, unknown>> };

/**
 * `body` or `query` names the schema; in a `Route[]` literal that name alone types the
 * handler's `body`, so no handler casts what the validator has already checked.
 */
export type Route =
  | PlainRoute
  | { [N in HttpSchemaName]: BodyRoute<N> }[HttpSchemaName]
  | { [N in HttpSchemaName]: QueryRoute<N> }[HttpSchemaName];

export interface RouteDeps {
  hub: HubServices;
  validator: WireValidator;
  logger: Logger;
  /** The port the server listens on, for URLs when a request has no Host header. */
  port(): number;
  /** True when the server speaks https and wss: URLs handed out say so. */
  secure?: boolean;
}

/** The principal's name as the hub records it (submitted_by). */
export function principalName(principal: Principal | null): string | null {
  if (!principal) return null;
  return principal.scope === 'admin' ? `admin:${principal.name}` : principal.agentId;
}
