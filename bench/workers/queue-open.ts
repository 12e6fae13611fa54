// Worker: times what a restarting hub pays before it can serve: open the store, then read its stats.
// Run in a fresh process each time, so nothing of the store is in this heap or LMDB's caches.
import { performance } from 'node:perf_hooks';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { serveChild } from '../lib/child-process.ts';

export interface QueueOpenInput {
  dir: string;
}

export interface QueueOpenOutput {
  openMs: number;
  statsMs: number;
  queued: number;
  rssMiB: number;
}

serveChild<QueueOpenInput, QueueOpenOutput>(async (input) => {
  const startedAt = performance.now();
  const queue = LmdbTaskQueue.open(input.dir);
  const openedAt = performance.now();
  const stats = queue.stats();
  const statsAt = performance.now();
  const rssMiB = process.memoryUsage().rss / 1024 ** 2;
  await queue.close();
  return { openMs: openedAt - startedAt, statsMs: statsAt - openedAt, queued: stats.byStatus.queued, rssMiB };
});
