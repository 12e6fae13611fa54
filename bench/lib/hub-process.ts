// The hub under test, as operators run it: `node runtime/bin/agentcom.mjs start` in its own
// process (durable mode, the default), on a free port and a data dir we choose, with an
// admin token in AGENTCOM_ADMIN_TOKEN so load clients can identify as any agent.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedClockMs } from './bullmq-settings.ts';
import { freePort } from './free-port.ts';
import { cpuMs, rssMiB } from './proc-stats.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const hubBinary = join(repoRoot, 'runtime/bin/agentcom.mjs');

export interface HubProcessOptions {
  dataDir: string;
  /** Where the hub's stdout (JSON log lines) and stderr go. */
  logPath: string;
  port?: number;
  adminToken?: string;
  /** Open-file limit for the hub (raised through `ulimit -n` in a bash wrapper); default 65536. */
  fdLimit?: number;
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  logLevel?: 'debug' | 'info' | 'notice' | 'warning' | 'error';
  /** Extra environment for the hub (e.g. AGENTCOM_METRICS_RECORDING=false). */
  env?: Record<string, string>;
  /** Serve https and wss with this certificate; clients trust `caPem`. */
  tls?: { cert: string; key: string; caPem: string };
  /** Config keys over the bench's own (e.g. engine and nats_servers for the cluster scenario). */
  config?: Record<string, unknown>;
}

export interface HubProcess {
  pid: number;
  port: number;
  url: string;
  wsUrl: string;
  /** PEM CA the clients verify a TLS hub with; undefined for clear text. */
  ca?: string;
  adminToken: string;
  /** Shared-clock ms at spawn. */
  spawnedAt: number;
  rssMiB(): number;
  cpuMs(): number;
  /** Resolves with the shared-clock ms at which GET /health first answered 200. */
  waitReady(timeoutMs?: number): Promise<number>;
  /** SIGTERM and wait for exit (the hub's graceful shutdown; --cpu-prof writes its file then). */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  exited: Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The hard open-file limit a process started from here can raise its soft limit to. */
export function hardFdLimit(): number {
  try {
    const out = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
  } catch {
    return 1024;
  }
}

/** Per-IP limits lifted: the load clients open every agent socket from one address. */
const benchHubConfig = { max_connections_per_ip: 1_000_000, identify_attempts_per_ip_per_min: 1_000_000 };

export const newAdminToken = () => randomBytes(32).toString('hex');

export async function startHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  const port = options.port ?? (await freePort());
  const adminToken = options.adminToken ?? newAdminToken();
  const fdLimit = options.fdLimit ?? 65_536;
  const logFd = openSync(options.logPath, 'a');
  // Every simulated agent connects from 127.0.0.1: the per-IP connection and identify limits
  // (made for one client per host) would refuse the 61st agent of a minute and the 201st socket.
  const configPath = `${options.logPath}.config.json`;
  writeFileSync(configPath, JSON.stringify({ ...benchHubConfig, ...options.config }));
  const nodeArgs = [...(options.nodeArgs ?? []), hubBinary, 'start', '--port', String(port), '--data-dir', options.dataDir,
    '--config', configPath,
    '--log-level', options.logLevel ?? 'info', ...(options.tls ? ['--tls-cert', options.tls.cert, '--tls-key', options.tls.key] : [])];
  // exec keeps the pid: the process we measure and signal is node itself, not bash.
  // Without CAP_SYS_RESOURCE (containers) the hard limit is the ceiling, even for root.
  const script = `ulimit -n ${fdLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)" || exit 3; exec "${process.execPath}" "$@"`;
  const spawnedAt = sharedClockMs();
  const child = spawn('bash', ['-c', script, 'bash', ...nodeArgs], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, AGENTCOM_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { live.delete(child); resolve(); }));
  const pid = child.pid ?? -1;
  const tls = options.tls;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;

  return {
    pid, port, url, wsUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/ws`, ca: tls?.caPem, adminToken, spawnedAt, exited,
    rssMiB: () => rssMiB(pid),
    cpuMs: () => cpuMs(pid),
    async waitReady(timeoutMs = 180_000) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (!alive()) throw new Error(`hub exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready; log: ${options.logPath}\n${tail(options.logPath)}`);
        if (await healthOk(port, tls?.caPem)) return sharedClockMs();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`hub not ready within ${timeoutMs} ms; log: ${options.logPath}`);
    },
    async stop(timeoutMs = 15_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}

function healthOk(port: number, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const send = ca ? httpsRequest : request;
    const req = send({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1000, ca }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 200));
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * The main thread's .cpuprofile files in `dir` (--cpu-prof-dir). Node names them
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread, and the
 * others are worker threads such as tsx's module-loader hooks thread.
 */
export const cpuProfilesIn = (dir: string): string[] =>
  readdirSync(dir).filter((name) => name.endsWith('.cpuprofile') && name.split('.')[4] === '0').map((name) => join(dir, name));
