// The operator CLIs' way to reach a running hub over its HTTP API, and the
// defaults they share for where the hub is and which token to send.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hubTrustFrom, isUntrustedCertificate, untrustedFailure } from '../../sidecar/hub-trust.ts';

const defaultHubUrl = 'http://127.0.0.1:4000';

export interface HubResponse {
  status: number;
  /** Parsed JSON, or the raw text when the hub answered something else. */
  body: any;
}

export type HubReach = { ok: true; response: HubResponse } | { ok: false; reason: string };

/** `--hub`, else AGENTCOM_HUB_URL (the one variable naming the hub), else the local default; without a trailing slash. */
export function hubUrlFrom(flag: string | undefined, fallback?: string): string {
  return (flag || process.env.AGENTCOM_HUB_URL || fallback || defaultHubUrl).replace(/\/+$/, '');
}

/** `--token`, else AGENTCOM_TOKEN, else AGENTCOM_ADMIN_TOKEN (the variable `agentcom start` reads). */
export function tokenFrom(flag: string | undefined): string | undefined {
  return flag || process.env.AGENTCOM_TOKEN || process.env.AGENTCOM_ADMIN_TOKEN || undefined;
}

/** The hub's WebSocket address for an HTTP base URL: http → ws, https → wss, path /ws. */
export function wsUrlOf(hubUrl: string): string {
  return `${hubUrl.replace(/^http/, 'ws')}/ws`;
}

/** Where the CLI learns a private CA for an https hub: `--ca-file` (runtime/cli/agentcom.ts copies it here) or the environment. */
export const caFileVariable = 'AGENTCOM_CA_FILE';

export async function hubRequest(
  hubUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<HubReach> {
  const trust = hubTrustFrom(process.env[caFileVariable] || undefined, false, '--ca-file');
  if (!trust.ok) return { ok: false, reason: `${trust.code}: ${trust.detail}` };
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  let url: URL;
  try {
    url = new URL(`${hubUrl}${path}`);
  } catch {
    return { ok: false, reason: `${hubUrl} is not a hub URL (http://host:port or https://host:port)` };
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  // node:https rather than fetch: fetch takes no CA per request.
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HubReach>((resolve) => {
    const request = send(url, { method, headers, timeout: timeoutMs, ca: trust.value.ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => resolve({ ok: false, reason: `cannot reach the hub at ${hubUrl} (${error.message})` }));
      response.on('end', () => resolve({ ok: true, response: { status: response.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) } }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (error) => {
      if (!isUntrustedCertificate(error)) return resolve({ ok: false, reason: `cannot reach the hub at ${hubUrl} (${error.message})` });
      const refused = untrustedFailure(hubUrl, error, `--ca-file or ${caFileVariable}`);
      resolve({ ok: false, reason: `${refused.code}: ${refused.detail}` });
    });
    request.end(payload);
  });
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): callers show the text.
    return text;
  }
}

/** One line for a hub answer that was not the expected one: status, code and detail. */
export function describeHubError(response: HubResponse): string {
  const body = response.body;
  if (body && typeof body === 'object') {
    const parts = [body.code ?? body.error, body.detail ?? body.hint].filter((part) => typeof part === 'string');
    if (Array.isArray(body.errors)) {
      parts.push(body.errors.map((item: { field?: string; detail?: string }) => `${item.field ?? '?'}: ${item.detail ?? ''}`).join('; '));
    }
    return `HTTP ${response.status} ${parts.join(': ')}`.trim();
  }
  return `HTTP ${response.status} ${String(body ?? '').slice(0, 200)}`.trim();
}
