// Runs bench workers in their own Node processes, so the load and the system
// under test never share an event loop, and each measurement starts with a fresh heap.
//
// Protocol over the IPC channel: the parent sends { input }; the worker may send
// { ready: true } once it is set up, then { result } or { error }.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type FromChild<O> = { ready: true } | { result: O } | { error: string };

const running = new Set<ChildProcess>();

// The harness must not leave workers behind when it is interrupted or fails.
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.once('exit', killAll);

export interface ChildHandle<O> {
  pid: number;
  /** Resolves when the worker has called `ready()`. */
  ready: Promise<void>;
  result: Promise<O>;
  kill(): void;
}

/** A worker that waits for work that never comes (a lost job, a stuck server) must fail the run, not hang it. */
const defaultTimeoutMs = 15 * 60_000;

/** `workerUrl` is `new URL('../workers/x.ts', import.meta.url)` from the caller. */
export function startChild<I, O>(workerUrl: URL, input: I, timeoutMs = defaultTimeoutMs): ChildHandle<O> {
  const child = fork(fileURLToPath(workerUrl), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const result = new Promise<O>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${workerUrl.pathname} gave no result within ${timeoutMs} ms; killed`));
    }, timeoutMs);
    child.on('message', (message: FromChild<O>) => {
      if ('ready' in message) markReady();
      else if ('result' in message) { settled = true; resolve(message.result); }
      else { settled = true; reject(new Error(`${workerUrl.pathname}: ${message.error}`)); }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      markReady();
      if (!settled) reject(new Error(`${workerUrl.pathname} exited (code ${code}, signal ${signal}) before its result`));
    });
  });
  child.send({ input });
  return { pid: child.pid ?? -1, ready, result, kill: () => child.kill('SIGKILL') };
}

export const runChild = <I, O>(workerUrl: URL, input: I, timeoutMs?: number): Promise<O> =>
  startChild<I, O>(workerUrl, input, timeoutMs).result;

/** The worker side: call once at the top level of a worker module. */
export function serveChild<I, O>(handler: (input: I, ready: () => void) => Promise<O>): void {
  // A worker whose harness went away has nobody to report to.
  process.on('disconnect', () => process.exit(1));
  process.once('message', (message: { input: I }) => {
    handler(message.input, () => process.send?.({ ready: true }))
      .then((result) => process.send?.({ result }, () => process.exit(0)))
      .catch((error: unknown) => {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.send?.({ error: text }, () => process.exit(1));
      });
  });
}
