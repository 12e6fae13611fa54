// One https request on a fresh connection, with the TLS options a test wants (ca, servername, client cert).
import { request } from 'node:https';
import type { ConnectionOptions } from 'node:tls';

export interface HttpsAnswer {
  status: number;
  body: any;
}

export function httpsCall(
  port: number,
  method: string,
  urlPath: string,
  tls: ConnectionOptions,
  options: { token?: string; body?: unknown } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    if (payload) headers['content-type'] = 'application/json';
    const call = request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false, ...tls }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    call.on('error', reject);
    call.end(payload);
  });
}
