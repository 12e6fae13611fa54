// A small HTTP client for the hub's API: node:http with keep-alive sockets (undici's
// fetch costs several times more CPU per request, and the load client shares 2 cores
// with the hub), JSON in and out.
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpReply {
  status: number;
  body: Record<string, unknown>;
}

export class HubHttp {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly sendRequest: typeof request;

  /** `ca`: PEM CA of an https hub. */
  constructor(baseUrl: string, private readonly token: string, maxSockets: number, ca?: string) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    const secure = url.protocol === 'https:';
    const settings = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    this.agent = secure ? new HttpsAgent({ ...settings, ca }) : new Agent(settings);
    this.sendRequest = secure ? (httpsRequest as unknown as typeof request) : request;
  }

  post(path: string, body: unknown): Promise<HttpReply> {
    return this.send('POST', path, JSON.stringify(body));
  }

  get(path: string): Promise<HttpReply> {
    return this.send('GET', path, null);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, payload: string | null): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { authorization: `Bearer ${this.token}` };
      if (payload !== null) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const req = this.sendRequest({ host: this.host, port: this.port, path, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = { raw: text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end(payload ?? undefined);
    });
  }
}
