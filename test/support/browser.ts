// What the dashboard's browser tests and benchmark stand on: Debian's Chromium driven by
// playwright-core, the built page served at the hub's address, a hub that can restart on
// its port, and agents over real sockets. When /usr/bin/chromium is missing we install it
// as root (as .ci/run does); otherwise we stop with one line saying what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import uWS from 'uWebSockets.js';
import WebSocket from 'ws';
import { startHub, type RunningHub } from '../../runtime/boot.ts';
import { resolveConfig, type HubConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { registerStaticFiles } from '../../web/static-files.ts';

export const chromiumPath = '/usr/bin/chromium';
export const dashboardDistDir = fileURLToPath(new URL('../../web/static/dist', import.meta.url));

const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // A page whose files come through Playwright routing has no address space, so Chromium's
  // Local Network Access checks would block its socket to the loopback hub (proxy mode below).
  '--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets',
];

/** The Chromium binary, installed with apt-get when missing and we are root. */
export function ensureChromium(): string {
  if (existsSync(chromiumPath)) return chromiumPath;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) throw new Error(`${chromiumPath} not found: the browser tests need Debian's chromium; run \`sudo apt-get install -y chromium\``);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  }
  if (install.status !== 0 || !existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} not found and \`apt-get install -y chromium\` failed (exit ${install.status}); install chromium and rerun`);
  }
  return chromiumPath;
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh Chromium profile (its own --user-data-dir), removed on close. */
export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const executablePath = ensureChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'agentcom-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    viewport: options.viewport ?? { width: 1440, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface DashboardServing {
  /** 'hub' when the hub serves the page itself; 'proxy' when this helper routes the page's files. */
  mode: 'hub' | 'proxy';
  close(): void;
}

/**
 * Makes `hubUrl` serve the built dashboard in `context`. When the hub does not serve `/`
 * yet (web/server.ts has not mounted registerStaticFiles), the page's own files are
 * routed to a uWS app that runs registerStaticFiles on the same folder; the API and the
 * feed still go to the real hub. The mode is returned so callers can report it.
 */
export async function serveDashboard(context: BrowserContext, hubUrl: string): Promise<DashboardServing> {
  const probe = await fetch(`${hubUrl}/`).catch(() => null);
  const html = probe?.ok && (probe.headers.get('content-type') ?? '').startsWith('text/html') ? await probe.text() : '';
  if (html.includes('AgentCom dashboard')) return { mode: 'hub', close: () => undefined };

  const app = uWS.App();
  registerStaticFiles(app, dashboardDistDir);
  const listen = await new Promise<uWS.us_listen_socket | false>((resolve) => app.listen('127.0.0.1', 0, resolve));
  if (!listen) throw new Error('could not start the static file server for the dashboard');
  const staticUrl = `http://127.0.0.1:${uWS.us_socket_local_port(listen as unknown as uWS.us_socket)}`;
  await context.route((url) => url.origin === new URL(hubUrl).origin && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/ws'), async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${staticUrl}${url.pathname}` });
    await route.fulfill({ response });
  });
  return { mode: 'proxy', close: () => uWS.us_listen_socket_close(listen) };
}

/** hold: accept and keep working until released; ignore: never accept (stays assigned). */
export type Behaviour = 'hold' | 'complete' | 'fail' | 'ignore';

/** An agent over a real socket: accepts what it is given, then holds, completes or fails it. */
export class SimAgent {
  readonly held: Array<{ task_id: string; generation: number }> = [];
  private constructor(readonly id: string, private readonly socket: WebSocket, public behaviour: Behaviour, public result: Record<string, unknown>) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame.type !== 'task_assign') return;
      const task = { task_id: String(frame.task_id), generation: Number(frame.generation) };
      if (this.behaviour === 'ignore') return;
      this.send({ type: 'task_accepted', task_id: task.task_id });
      if (this.behaviour === 'hold') this.held.push(task);
      else this.finish(task);
    });
  }

  static async connect(hubUrl: string, id: string, token: string, behaviour: Behaviour, options: { capabilities?: string[]; result?: Record<string, unknown> } = {}): Promise<SimAgent> {
    const socket = new WebSocket(`${hubUrl.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const identified = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string };
        if (frame.type === 'identified') resolve();
        else if (frame.type === 'error') reject(new Error(data.toString()));
      });
    });
    socket.send(JSON.stringify({ type: 'identify', agent_id: id, token, capabilities: options.capabilities ?? ['code'], protocol_version: 1 }));
    await identified;
    return new SimAgent(id, socket, behaviour, options.result ?? {});
  }

  /** Finishes every held task the way the current behaviour says. */
  release(): void {
    for (const task of this.held.splice(0)) this.finish(task);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private finish(task: { task_id: string; generation: number }): void {
    if (this.behaviour === 'fail') this.send({ type: 'task_failed', ...task, error: 'simulated failure: tests did not pass' });
    else this.send({ type: 'task_complete', ...task, result: { status: 'success', ...this.result } });
  }

  private send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }
}

/** A hub that can be stopped and started again on the same port and data folder. */
export class HubUnderTest {
  running!: RunningHub;
  adminToken = '';
  private config!: HubConfig;
  private readonly logger = createLogger('error', new Writable({ write: (_c, _e, done) => done() }));
  constructor(private readonly dataDir: string) {}

  get url(): string {
    return this.running.url;
  }

  async start(): Promise<void> {
    const port = this.config?.port ?? (await freePort());
    const config = resolveConfig({ host: '127.0.0.1', port, data_dir: this.dataDir, log_level: 'error' });
    if (!config.ok) throw new Error(config.detail);
    this.running = await startHub({ config: config.value, logger: this.logger });
    this.config = { ...config.value, port: this.running.port };
    this.adminToken ||= this.running.adminToken ?? '';
  }

  stop(): Promise<void> {
    return this.running.stop();
  }

  async http(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  async agent(id: string, behaviour: Behaviour, options: { capabilities?: string[]; result?: Record<string, unknown> } = {}): Promise<SimAgent> {
    const registered = await this.running.hub.access.registerAgent(id);
    // Already registered (a second connection, or after a restart): a fresh token for the same id.
    const issued = registered.ok ? registered : await this.running.hub.access.createToken({ agentId: id });
    if (!issued.ok) throw new Error(`no token for ${id}: ${issued.code}`);
    const token = issued.value.token;
    return SimAgent.connect(this.url, id, token, behaviour, options);
  }

  submit(description: string, options: Record<string, unknown> = {}): Promise<{ task_id: string }> {
    return this.http('POST', '/api/tasks', { description, ...options });
  }
}

/**
 * A port nobody listens on now. Both starts of a restart test bind it explicitly: a hub first
 * bound to port 0 (kernel-chosen) could not bind that port again while its closed connections
 * sat in TIME_WAIT (about 60 s), whereas an explicitly bound port can be taken again at once.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it passes or `timeoutMs` runs out; the last failure is the error. */
export async function eventually(check: () => Promise<unknown>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
