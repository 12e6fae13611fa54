// A throwaway redis-server for the BullMQ comparison: its own temp dir, a free port on
// 127.0.0.1, AOF on, stopped (and its files removed) by `stop()` or when the harness exits.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { makeTempDir } from './temp-dir.ts';

export type AppendFsync = 'everysec' | 'always';

export interface RedisServer {
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

export const redisInstallLine = 'sudo apt-get install -y redis-server';

/** The redis-server binary, installing it with apt-get when we are root; null (with the line to run) otherwise. */
export function findRedisServer(log: (line: string) => void): string | null {
  const found = commandPath('redis-server');
  if (found) return found;
  if (process.getuid?.() !== 0 || !commandPath('apt-get')) return null;
  log('redis-server not found; running apt-get install -y redis-server');
  try {
    execFileSync('apt-get', ['install', '-y', 'redis-server'], { stdio: ['ignore', 2, 2] });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: ['ignore', 2, 2] });
    execFileSync('apt-get', ['install', '-y', 'redis-server'], { stdio: ['ignore', 2, 2] });
  }
  return commandPath('redis-server');
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startRedisServer(binary: string, appendfsync: AppendFsync): Promise<RedisServer> {
  const dir = makeTempDir(`redis-${appendfsync}`);
  const port = await freePort();
  const child = spawn(binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir.path, '--daemonize', 'no',
    '--appendonly', 'yes', '--appendfsync', appendfsync,
    // No RDB snapshots during the run: their fork would compete for the 2 cores. BullMQ requires noeviction.
    '--save', '', '--maxmemory-policy', 'noeviction',
    '--logfile', join(dir.path, 'redis.log'),
  ], { stdio: 'ignore' });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
    dir.remove();
  };
  try {
    await waitForPong(port, 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? 'unknown';
  return { port, pid: child.pid ?? -1, version, stop };
}

async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

function commandPath(name: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
