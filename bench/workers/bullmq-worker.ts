// Worker: a BullMQ Worker in its own process that completes jobs at once (the job's work
// is not what is measured) until it has seen `expected` of them.
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { bullmqJobOptions, bullmqQueueName, sharedClockMs } from '../lib/bullmq-settings.ts';
import { serveChild } from '../lib/child-process.ts';
import { connectIORedis } from '../lib/ioredis-client.ts';
import { Progress, ProgressCounter } from '../lib/progress.ts';
import { ratePerSec, SampleRecorder, type LatencySummary } from '../lib/sample-stats.ts';

export interface BullmqWorkerInput {
  port: number;
  concurrency: number;
  expected: number;
  /** Completions before the clock starts (and before latency is recorded). */
  warmupJobs: number;
  /** Record latency only for jobs added as measured (lifecycle mode), whatever their completion order. */
  measuredFlag?: boolean;
}

export interface BullmqWorkerOutput {
  completed: number;
  elapsedMs: number;
  jobsPerSec: number;
  /** add → 'completed' event, for jobs after the warm-up. */
  latencyMs: LatencySummary;
  /** Shared-clock ms of the last completion of a measured job. */
  lastMeasuredCompletedAt: number;
}

serveChild<BullmqWorkerInput, BullmqWorkerOutput>(async (input, ready) => {
  const progress = new Progress('bullmq/worker');
  const counter = new ProgressCounter(progress, 'completed', input.expected);
  const connection = await connectIORedis(input.port);
  const worker = new Worker(bullmqQueueName, async () => ({ summary: 'done' }), {
    connection: connection as unknown as ConnectionOptions,
    concurrency: input.concurrency,
    autorun: false,
    removeOnComplete: bullmqJobOptions.removeOnComplete,
    removeOnFail: bullmqJobOptions.removeOnFail,
  });
  const latency = new SampleRecorder();
  let completed = 0;
  let lastMeasuredCompletedAt = NaN;
  let clockStartedAt = performance.now();
  const done = new Promise<void>((resolve, reject) => {
    worker.on('failed', (_job, error) => reject(error));
    worker.on('error', reject);
    worker.on('completed', (job: Job<{ addedAtMs: number; measured: boolean }>) => {
      completed++;
      if (input.measuredFlag) {
        if (job.data.measured) {
          lastMeasuredCompletedAt = sharedClockMs();
          latency.record(lastMeasuredCompletedAt - job.data.addedAtMs);
        }
      } else if (completed === input.warmupJobs) clockStartedAt = performance.now();
      else if (completed > input.warmupJobs) latency.record(sharedClockMs() - job.data.addedAtMs);
      counter.update(completed);
      if (completed === input.expected) resolve();
    });
  });
  try {
    await worker.waitUntilReady();
    clockStartedAt = performance.now();
    void worker.run();
    ready();
    await done;
    const elapsedMs = performance.now() - clockStartedAt;
    const measured = input.expected - input.warmupJobs;
    return { completed: measured, elapsedMs, jobsPerSec: ratePerSec(measured, elapsedMs), latencyMs: latency.summary(), lastMeasuredCompletedAt };
  } finally {
    await worker.close();
    await connection.quit();
  }
});
