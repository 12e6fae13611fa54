// A long-lived bench worker the parent drives step by step (connect agents, submit a
// stage, read its figures…), for scenarios whose stages need the same load-client
// processes and sockets throughout. child-process.ts covers one-input-one-result workers.
//
// Protocol over the IPC channel: parent sends { id, method, args }; the child answers
// { id, value } or { id, error }. Method `close` makes the child exit.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Reply = { id: number; value: unknown } | { id: number; error: string };
type Methods = Record<string, (...args: never[]) => Promise<unknown>>;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface RpcChild<M extends Methods> {
  pid: number;
  call<K extends keyof M & string>(method: K, ...args: Parameters<M[K]>): Promise<Awaited<ReturnType<M[K]>>>;
  close(): Promise<void>;
}

export function startRpcChild<M extends Methods>(workerUrl: URL, label: string): RpcChild<M> {
  const child = fork(fileURLToPath(workerUrl), [label], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }>();
  child.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if ('error' in reply) waiter.reject(new Error(`${label}.${waiter.method}: ${reply.error}`));
    else waiter.resolve(reply.value);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    for (const waiter of pending.values()) waiter.reject(new Error(`${label} exited (code ${code}, signal ${signal}) during ${waiter.method}`));
    pending.clear();
    resolve();
  }));
  return {
    pid: child.pid ?? -1,
    call: (method, ...args) => new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, method });
      child.send({ id, method, args });
    }),
    async close() {
      if (child.connected) child.send({ id: 0, method: 'close', args: [] });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The worker side: call once at the top level of a worker module. */
export function serveRpc(methods: Methods): void {
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message: { id: number; method: string; args: unknown[] }) => {
    if (message.method === 'close') {
      process.exit(0);
    }
    const method = methods[message.method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (!method) {
      process.send?.({ id: message.id, error: `no method ${message.method}` });
      return;
    }
    method(...message.args).then(
      (value) => process.send?.({ id: message.id, value: value ?? null }),
      (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
