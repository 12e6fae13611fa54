// Worker: fills a store with `count` queued tasks (concurrent durable submits) and reports the build rate.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { serveChild } from '../lib/child-process.ts';
import { Progress, ProgressCounter } from '../lib/progress.ts';
import { ratePerSec } from '../lib/sample-stats.ts';
import { submitMany } from '../lib/submit-many.ts';
import { fixtureTask } from '../lib/task-fixture.ts';

export interface QueueBuildInput {
  dir: string;
  count: number;
  concurrency: number;
  /** Task i needs capabilitySets[i % length]; default the fixture's one capability. */
  capabilitySets?: string[][];
  /** Task i leases pathSets[i % length] (the scheduler's lease stage); default none. */
  pathSets?: string[][];
}

export interface QueueBuildOutput {
  count: number;
  elapsedMs: number;
  tasksPerSec: number;
  dataFileBytes: number;
  /** Bytes the file really occupies on disk (LMDB files can be sparse). */
  dataFileAllocatedBytes: number;
  maxRssMiB: number;
}

serveChild<QueueBuildInput, QueueBuildOutput>(async (input) => {
  const progress = new Progress(`queue/build ${input.count.toLocaleString('en-US')}`);
  const counter = new ProgressCounter(progress, 'submitted', input.count);
  const queue = LmdbTaskQueue.open(input.dir);
  let index = 0;
  const startedAt = performance.now();
  const sets = input.capabilitySets;
  const nextTask = () => {
    const task = fixtureTask(index);
    if (sets) task.neededCapabilities = sets[index % sets.length];
    if (input.pathSets) task.paths = input.pathSets[index % input.pathSets.length];
    index++;
    return task;
  };
  await submitMany(queue, input.count, input.concurrency, nextTask, (done) => counter.update(done));
  await queue.close();
  const elapsedMs = performance.now() - startedAt;
  const file = statSync(join(input.dir, 'data.mdb'));
  return {
    count: input.count,
    elapsedMs,
    tasksPerSec: ratePerSec(input.count, elapsedMs),
    dataFileBytes: file.size,
    dataFileAllocatedBytes: file.blocks * 512,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
});
