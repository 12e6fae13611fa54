// Starts a TypeScript worker module (storage/worker-thread.ts): workers do not inherit the
// main thread's tsx loader, so register it here, then import the module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
