// Worker: durable submit and claim+complete throughput of the LMDB queue at several concurrencies.
// Runs the queue and its callers in this one process, as the hub will (no network in between).
import { performance } from 'node:perf_hooks';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { serveChild } from '../lib/child-process.ts';
import { closedLoop, type LoopResult } from '../lib/load-loops.ts';
import { Progress } from '../lib/progress.ts';
import { agentCapabilities, fixtureTask } from '../lib/task-fixture.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import { submitMany } from '../lib/submit-many.ts';

export interface QueueThroughputInput {
  concurrencies: number[];
  warmupMs: number;
  measureMs: number;
  /** Queued tasks guaranteed before each claim stage, so claimers do not run dry. */
  claimBacklog: number;
}

export interface StageResult extends LoopResult {
  op: 'submit' | 'claim+complete';
  concurrency: number;
  rssMiB: number;
}

export interface QueueThroughputOutput {
  stages: StageResult[];
  maxRssMiB: number;
  tasksInStore: number;
  elapsedMs: number;
}

const mib = (bytes: number) => bytes / 1024 ** 2;

serveChild<QueueThroughputInput, QueueThroughputOutput>(async (input) => {
  const progress = new Progress('queue/throughput');
  const dir = makeTempDir('throughput');
  const queue = LmdbTaskQueue.open(dir.path);
  const startedAt = performance.now();
  let submitted = 0;
  const stages: StageResult[] = [];
  try {
    const submitOp = async () => {
      const outcome = await queue.submit(fixtureTask(submitted++), Date.now());
      if (!outcome.ok) throw new Error(`submit: ${outcome.code} ${outcome.detail}`);
      return true;
    };
    const claimOp = async (caller: number) => {
      const agentId = `agent-${caller}`;
      const claimed = await queue.claimNext(agentId, agentCapabilities, Date.now());
      if (!claimed.ok) throw new Error(`claimNext: ${claimed.code} ${claimed.detail}`);
      if (claimed.value === null) return false;
      const report = { taskId: claimed.value.id, agentId, generation: claimed.value.generation };
      const completed = await queue.complete(report, { summary: 'done' }, 1200, Date.now());
      if (!completed.ok) throw new Error(`complete: ${completed.code} ${completed.detail}`);
      return true;
    };

    for (const concurrency of input.concurrencies) {
      progress.stage(`submit, ${concurrency} in flight: warm-up ${input.warmupMs} ms, then ${input.measureMs} ms measured`);
      await closedLoop(concurrency, input.warmupMs, submitOp);
      const result = await closedLoop(concurrency, input.measureMs, submitOp);
      stages.push({ op: 'submit', concurrency, ...result, rssMiB: mib(process.memoryUsage().rss) });
      progress.stage(`submit, ${concurrency} in flight: ${Math.round(result.opsPerSec)}/s`);
    }
    for (const concurrency of input.concurrencies) {
      const missing = input.claimBacklog - queue.stats().byStatus.queued;
      if (missing > 0) {
        progress.stage(`topping the backlog up by ${missing} tasks (not measured)`);
        await submitMany(queue, missing, 1024, () => fixtureTask(submitted++));
      }
      progress.stage(`claim+complete, ${concurrency} claimers: warm-up ${input.warmupMs} ms, then ${input.measureMs} ms measured`);
      await closedLoop(concurrency, input.warmupMs, claimOp);
      const result = await closedLoop(concurrency, input.measureMs, claimOp);
      stages.push({ op: 'claim+complete', concurrency, ...result, rssMiB: mib(process.memoryUsage().rss) });
      progress.stage(`claim+complete, ${concurrency} claimers: ${Math.round(result.opsPerSec)}/s${result.ranDry ? ' (ran dry)' : ''}`);
    }
    const stats = queue.stats();
    const tasksInStore = Object.values(stats.byStatus).reduce((a, b) => a + b, 0);
    return {
      stages,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      tasksInStore,
      elapsedMs: performance.now() - startedAt,
    };
  } finally {
    await queue.close();
    dir.remove();
  }
});
