// Real nats-server nodes with JetStream for the JetStream engine's tests: one node, or a
// cluster on loopback, each on free ports with its store in a temp dir, always stopped
// (call stop() in an after hook; a node killed with kill -9 can be started again on its dir).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from './temp-dir.ts';

export interface NatsNode {
  url: string;
  /** Starts the node (again) on the same ports and store dir. */
  start(): Promise<void>;
  /** kill -9: no shutdown of any kind. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
  /** The running process's pid (for its CPU time in the cluster bench), or null. */
  pid(): number | null;
}

export interface NatsCluster {
  nodes: NatsNode[];
  urls: string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One JetStream node; `cluster` joins it to routes (give every node the same list). */
function natsNode(dir: TempDir, name: string, clientPort: number, cluster?: { port: number; routes: number[] }): NatsNode {
  const config = join(dir.path, `${name}.conf`);
  writeFileSync(config, [
    `server_name: ${name}`,
    `listen: 127.0.0.1:${clientPort}`,
    `jetstream { store_dir: "${join(dir.path, name)}" }`,
    ...(cluster ? [`cluster { name: agentcom-test, listen: 127.0.0.1:${cluster.port}, routes: [${cluster.routes.map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}] }`] : []),
  ].join('\n'));
  let child: ChildProcess | null = null;
  let output = '';
  const stopped = () => new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
  return {
    url: `nats://127.0.0.1:${clientPort}`,
    log: () => output,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid ?? null : null),
    start: async () => {
      child = spawn('nats-server', ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
      await waitForPort(clientPort, () => child?.exitCode !== null ? `nats-server ${name} exited: ${output}` : null);
    },
    kill: async () => {
      child?.kill('SIGKILL');
      await stopped();
    },
    stop: async () => {
      child?.kill('SIGTERM');
      await stopped();
    },
  };
}

export async function startNatsNode(): Promise<NatsNode & { dir: TempDir }> {
  const dir = makeTempDir('nats-node');
  const node = natsNode(dir, 'n1', await freePort());
  await node.start();
  return { ...node, dir, stop: async () => { await node.stop(); dir.remove(); } };
}

/** `size` nodes routed to each other on loopback; resolves once every node listens for clients. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = makeTempDir('nats-cluster');
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const nodes = clientPorts.map((port, i) => natsNode(dir, `n${i + 1}`, port, { port: routePorts[i], routes: routePorts }));
  try {
    await Promise.all(nodes.map((node) => node.start()));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    dir.remove();
    throw error;
  }
  return {
    nodes,
    urls: nodes.map((node) => node.url),
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      dir.remove();
    },
  };
}

async function waitForPort(port: number, failed: () => string | null, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problem = failed();
    if (problem) throw new Error(problem);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
