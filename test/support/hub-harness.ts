// Starts a real hub (runtime/boot.ts) on 127.0.0.1 and a free port, with its data
// in a temp folder, plus small HTTP and agent helpers for the wire tests.
import { Writable } from 'node:stream';
import { startHub, type RunningHub } from '../../runtime/boot.ts';
import { resolveConfig, type ConfigLayer } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { makeTempDir } from './temp-dir.ts';
import { WsTestClient } from './ws-client.ts';

export interface HttpResult {
  status: number;
  body: any;
  headers: Headers;
}

export interface HttpOptions {
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string | Buffer;
  /** Bearer token; `null` sends none. Defaults to the admin token. */
  token?: string | null;
}

export interface TestHub {
  url: string;
  wsUrl: string;
  port: number;
  adminToken: string;
  running: RunningHub;
  http(method: string, path: string, options?: HttpOptions): Promise<HttpResult>;
  /** Registers the agent over HTTP and returns its token. */
  register(agentId: string): Promise<string>;
  /** Registers (when no token is given), connects and identifies an agent. */
  connectAgent(agentId: string, options?: { token?: string; capabilities?: string[] }): Promise<AgentClient>;
  stop(): Promise<void>;
}

export interface AgentClient {
  agentId: string;
  token: string;
  ws: WsTestClient;
}

const silent = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** `adminToken` stands in for AGENTCOM_ADMIN_TOKEN, for a restart on a data dir that already has one. */
export async function startTestHub(overrides: ConfigLayer = {}, options: { adminToken?: string } = {}): Promise<TestHub> {
  const dir = makeTempDir('hub');
  // Rate limits off unless a test turns them on: the reference's buckets (60 normal frames a
  // minute) would throttle tests that exercise other features at full speed.
  const config = resolveConfig({ host: '127.0.0.1', port: 0, data_dir: dir.path, log_level: 'error', rate_limits: false, ...overrides });
  if (!config.ok) throw new Error(config.detail);
  const logger = createLogger(process.env.AGENTCOM_TEST_LOGS ?? 'error', process.env.AGENTCOM_TEST_LOGS ? process.stdout : silent());
  const running = await startHub({ config: config.value, logger, adminToken: options.adminToken });
  if (!running.adminToken) throw new Error('the test hub did not create an admin token');
  const adminToken = running.adminToken;
  const url = `http://127.0.0.1:${running.port}`;
  const wsUrl = `ws://127.0.0.1:${running.port}/ws`;

  const http = async (method: string, path: string, options: HttpOptions = {}): Promise<HttpResult> => {
    const token = options.token === undefined ? adminToken : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: the test sees the text.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };

  const register = async (agentId: string): Promise<string> => {
    // With the admin token: unauthenticated registers are rate limited per IP (10 a minute), and tests register many.
    const result = await http('POST', '/api/onboard/register', { body: { agent_id: agentId } });
    if (result.status !== 201) throw new Error(`register ${agentId}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body.token as string;
  };

  const clients: WsTestClient[] = [];
  const connectAgent = async (agentId: string, options: { token?: string; capabilities?: string[] } = {}) => {
    const token = options.token ?? (await register(agentId));
    const ws = await WsTestClient.connect(wsUrl);
    clients.push(ws);
    const identified = await ws.request(
      { type: 'identify', agent_id: agentId, token, capabilities: options.capabilities ?? [], protocol_version: 1 },
      'identified',
    );
    if (identified.agent_id !== agentId) throw new Error(`identified as ${String(identified.agent_id)}`);
    return { agentId, token, ws };
  };

  return {
    url, wsUrl, port: running.port, adminToken, running, http, register, connectAgent,
    async stop() {
      for (const client of clients) client.socket.terminate();
      await running.stop();
      dir.remove();
    },
  };
}
