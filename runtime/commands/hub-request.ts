// The operator CLIs' way to reach a running hub over its HTTP API, and the
// defaults they share for where the hub is and which token to send.

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

export async function hubRequest(
  hubUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<HubReach> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${hubUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    return { ok: false, reason: `cannot reach the hub at ${hubUrl} (${cause})` };
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): callers show the text.
  }
  return { ok: true, response: { status: response.status, body } };
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
