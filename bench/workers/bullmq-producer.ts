// Worker: a BullMQ producer in its own process. Modes: addBulk in batches, single add
// with a fixed number in flight, or single add at a fixed rate (for the latency stage).
import { Queue, type ConnectionOptions } from 'bullmq';
import { bullmqJobData, bullmqJobOptions, bullmqQueueName, sharedClockMs } from '../lib/bullmq-settings.ts';
import { serveChild } from '../lib/child-process.ts';
import { connectIORedis } from '../lib/ioredis-client.ts';
import { closedLoop, openLoop } from '../lib/load-loops.ts';
import { Progress } from '../lib/progress.ts';
import { ratePerSec } from '../lib/sample-stats.ts';

export type BullmqProducerInput =
  | { port: number; mode: 'bulk'; count: number; batch: number; warmupCount: number }
  | { port: number; mode: 'single'; inFlight: number; measureMs: number; warmupMs: number }
  | { port: number; mode: 'paced'; ratePerSec: number; count: number }
  /** The lifecycle twin: `warmupCount` unmeasured jobs, then `count` measured ones, with `inFlight` adds or addBulk × `batch`. */
  | { port: number; mode: 'lifecycle'; shape: 'single' | 'bulk'; warmupCount: number; count: number; inFlight: number; batch: number };

export interface BullmqProducerOutput {
  /** Jobs added in the measured part. */
  added: number;
  /** Jobs added in all, warm-up included: what the worker will find. */
  addedTotal: number;
  /** Shared-clock ms of the first measured add (lifecycle mode). */
  firstMeasuredAddAt?: number;
  elapsedMs: number;
  jobsPerSec: number;
}

serveChild<BullmqProducerInput, BullmqProducerOutput>(async (input) => {
  const progress = new Progress(`bullmq/producer ${input.mode}`);
  const connection = await connectIORedis(input.port);
  const queue = new Queue(bullmqQueueName, {
    connection: connection as unknown as ConnectionOptions,
    defaultJobOptions: bullmqJobOptions,
  });
  await queue.waitUntilReady();
  let index = 0;
  const addOne = async () => {
    await queue.add('task', bullmqJobData(index++, sharedClockMs()));
    return true;
  };
  try {
    if (input.mode === 'bulk') {
      const addBatches = async (count: number) => {
        for (let done = 0; done < count; done += input.batch) {
          const now = sharedClockMs();
          await queue.addBulk(Array.from({ length: Math.min(input.batch, count - done) }, () => ({
            name: 'task', data: bullmqJobData(index++, now),
          })));
        }
      };
      progress.stage(`warm-up: ${input.warmupCount} jobs`);
      await addBatches(input.warmupCount);
      progress.stage(`adding ${input.count} jobs in batches of ${input.batch}`);
      const startedAt = performance.now();
      await addBatches(input.count);
      const elapsedMs = performance.now() - startedAt;
      return { added: input.count, addedTotal: index, elapsedMs, jobsPerSec: ratePerSec(input.count, elapsedMs) };
    }
    if (input.mode === 'single') {
      progress.stage(`warm-up ${input.warmupMs} ms, then add with ${input.inFlight} in flight for ${input.measureMs} ms`);
      await closedLoop(input.inFlight, input.warmupMs, addOne);
      const result = await closedLoop(input.inFlight, input.measureMs, addOne);
      return { added: result.ops, addedTotal: index, elapsedMs: result.elapsedMs, jobsPerSec: result.opsPerSec };
    }
    if (input.mode === 'lifecycle') {
      const addAll = async (count: number, measured: boolean) => {
        if (input.shape === 'bulk') {
          for (let done = 0; done < count; done += input.batch) {
            const now = sharedClockMs();
            await queue.addBulk(Array.from({ length: Math.min(input.batch, count - done) }, () => ({
              name: 'task', data: bullmqJobData(index++, now, measured),
            })));
          }
          return;
        }
        let issued = 0;
        await Promise.all(Array.from({ length: input.inFlight }, async () => {
          while (issued < count) {
            issued++;
            await queue.add('task', bullmqJobData(index++, sharedClockMs(), measured));
          }
        }));
      };
      progress.stage(`lifecycle (${input.shape}): ${input.warmupCount} warm-up jobs, then ${input.count}`);
      await addAll(input.warmupCount, false);
      const firstMeasuredAddAt = sharedClockMs();
      const startedAt = performance.now();
      await addAll(input.count, true);
      const elapsedMs = performance.now() - startedAt;
      return { added: input.count, addedTotal: index, elapsedMs, jobsPerSec: ratePerSec(input.count, elapsedMs), firstMeasuredAddAt };
    }
    progress.stage(`adding ${input.count} jobs at ${input.ratePerSec}/s`);
    const { elapsedMs } = await openLoop(input.ratePerSec, input.count, async () => void (await addOne()));
    return { added: input.count, addedTotal: index, elapsedMs, jobsPerSec: ratePerSec(input.count, elapsedMs) };
  } finally {
    await queue.close();
    await connection.quit();
  }
});
