// Runs one job on a worker thread (node:worker_threads) and resolves with what it posts back,
// so long CPU or file work (hashing a backup, checking a copy) never holds the event loop.
//
// The worker's module is a TypeScript source when the hub runs from source and the compiled
// `.mjs` beside the bundle when it runs from dist/ (tools/compile.mjs builds each worker as
// its own entry). A worker does not inherit the tsx loader the main thread was started
// with, so a `.ts` module is started through storage/ts-worker.mjs, which registers tsx first.
import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';

/** `name` is the module's file name without extension, in the same folder as `from` (an import.meta.url). */
export function workerModule(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.mjs'}`, from);
}

/** The job's input arrives as `workerData.input`; the worker answers with one message. */
export function runWorker<I, O>(module: URL, input: I): Promise<O> {
  const worker = module.pathname.endsWith('.ts')
    ? new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: module.href, input } })
    : new Worker(module, { workerData: { input } });
  return new Promise<O>((resolve, reject) => {
    let answered = false;
    worker.once('message', (output: O) => {
      answered = true;
      resolve(output);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      answered = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`worker ${module.pathname} exited with code ${code} before answering`));
    });
  });
}

/**
 * Called on a worker thread: gives its CPU time the lowest priority (nice 19). On Linux the nice
 * value belongs to the thread, so the hub's event loop keeps its own and wins every contended
 * slice; the worker still runs at full speed on a core nobody else wants.
 */
export function yieldToTheHub(): void {
  try {
    setPriority(19);
  } catch {
    // A platform without per-thread priorities: the work runs at normal priority, only sooner.
  }
}
