// The LMDB task queue in-process: durable submit and claim+complete rates, task-life latency
// at a fixed rate, and the time to open stores of 100k and 1M queued tasks.
import { join } from 'node:path';
import { comparisonLoad } from '../lib/comparison-load.ts';
import { runChild } from '../lib/child-process.ts';
import { dropFromPageCache, residentFraction } from '../lib/page-cache.ts';
import type { BenchContext, Metrics, ResultTable, Scenario, ScenarioOutcome } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';
import { fixturePayloadBytes } from '../lib/task-fixture.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import type { QueueBuildInput, QueueBuildOutput } from '../workers/queue-build.ts';
import type { QueueOpenInput, QueueOpenOutput } from '../workers/queue-open.ts';
import type { QueuePacedInput, QueuePacedOutput } from '../workers/queue-paced.ts';
import type { QueueThroughputInput, QueueThroughputOutput } from '../workers/queue-throughput.ts';

const worker = (name: string) => new URL(`../workers/${name}.ts`, import.meta.url);

export const queueScenario: Scenario = {
  name: 'queue',
  description: 'LMDB task queue in-process, durable: submit and claim+complete rates, task-life latency, open time at 100k/1M',
  async run(ctx) {
    const metrics: Metrics = {};
    const tables = [
      await throughput(ctx, metrics),
      await pacedLifecycle(ctx, metrics),
      await openTimes(ctx, metrics),
    ];
    return {
      status: 'measured',
      tables,
      metrics,
      notes: [
        `Task: ${fixturePayloadBytes} B JSON body, 1 needed capability; the stored record adds history and timestamps.`,
        'Processes: each stage runs in its own child process holding the queue and its callers (no network); the harness process only waits.',
        'lmdb-js commits on its own writer thread, so one stage can keep both cores busy.',
      ],
    } satisfies ScenarioOutcome;
  },
};

async function throughput(ctx: BenchContext, metrics: Metrics): Promise<ResultTable> {
  const input: QueueThroughputInput = {
    concurrencies: [1, comparisonLoad.concurrency, 512],
    warmupMs: ctx.quick ? 500 : 2000,
    measureMs: ctx.quick ? 1500 : 5000,
    claimBacklog: ctx.quick ? 20_000 : 100_000,
  };
  ctx.progress.stage(`throughput: ${input.concurrencies.join(', ')} in flight, ${input.measureMs} ms per stage`);
  const out = await runChild<QueueThroughputInput, QueueThroughputOutput>(worker('queue-throughput'), input);
  const rows = out.stages.map((stage) => {
    const key = `${stage.op === 'submit' ? 'submit' : 'claimComplete'}.c${stage.concurrency}`;
    metrics[`${key}.opsPerSec`] = stage.opsPerSec;
    metrics[`${key}.p50Ms`] = stage.latencyMs.p50;
    metrics[`${key}.p99Ms`] = stage.latencyMs.p99;
    return [
      stage.op, stage.concurrency, fmt(stage.opsPerSec), fmt(stage.latencyMs.p50), fmt(stage.latencyMs.p99),
      fmt(stage.latencyMs.p999), fmt(stage.rssMiB), stage.ranDry ? 'ran dry' : '',
    ];
  });
  metrics['throughput.maxRssMiB'] = out.maxRssMiB;
  return {
    title: `Durable queue calls (1 process; ${input.measureMs} ms measured after ${input.warmupMs} ms warm-up; store held ${out.tasksInStore.toLocaleString('en-US')} tasks at the end; peak RSS ${fmt(out.maxRssMiB)} MiB)`,
    columns: ['operation', 'in flight', 'ops/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'RSS MiB', ''],
    rows,
  };
}

async function pacedLifecycle(ctx: BenchContext, metrics: Metrics): Promise<ResultTable> {
  const input: QueuePacedInput = {
    ratePerSec: comparisonLoad.pacedRatePerSec,
    warmupMs: ctx.quick ? 500 : 2000,
    measureMs: ctx.quick ? 2000 : 10_000,
  };
  ctx.progress.stage(`task life at ${input.ratePerSec}/s offered`);
  const out = await runChild<QueuePacedInput, QueuePacedOutput>(worker('queue-paced'), input);
  metrics['lifecycle.paced.p50Ms'] = out.latencyMs.p50;
  metrics['lifecycle.paced.p99Ms'] = out.latencyMs.p99;
  return {
    title: 'Task life: submit → claimNext → complete, three durable writes, open loop (1 process)',
    columns: ['offered rate/s', 'tasks', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
    rows: [[input.ratePerSec, out.completed, fmt(out.latencyMs.p50), fmt(out.latencyMs.p99), fmt(out.latencyMs.p999), fmt(out.latencyMs.max)]],
  };
}

async function openTimes(ctx: BenchContext, metrics: Metrics): Promise<ResultTable> {
  const sizes = ctx.quick ? [10_000, 100_000] : [100_000, 1_000_000];
  const rows: ResultTable['rows'] = [];
  for (const count of sizes) {
    const dir = makeTempDir(`open-${count}`);
    try {
      ctx.progress.stage(`building a store of ${count.toLocaleString('en-US')} queued tasks`);
      const build = await runChild<QueueBuildInput, QueueBuildOutput>(worker('queue-build'), { dir: dir.path, count, concurrency: 1024 });
      const dataFile = join(dir.path, 'data.mdb');
      const opened: Array<{ cache: string; resident: number | null; out: QueueOpenOutput }> = [];
      dropFromPageCache(dataFile);
      for (const cache of ['cold', 'warm']) {
        const resident = residentFraction(dataFile);
        ctx.progress.stage(`opening ${count.toLocaleString('en-US')} in a fresh process, ${cache} page cache`);
        opened.push({ cache, resident, out: await runChild<QueueOpenInput, QueueOpenOutput>(worker('queue-open'), { dir: dir.path }) });
      }
      metrics[`build.n${count}.tasksPerSec`] = build.tasksPerSec;
      metrics[`open.n${count}.dataFileBytes`] = build.dataFileBytes;
      for (const { cache, resident, out } of opened) {
        if (out.queued !== count) throw new Error(`opened store reports ${out.queued} queued, expected ${count}`);
        metrics[`open.n${count}.${cache}.openMs`] = out.openMs;
        rows.push([
          count.toLocaleString('en-US'), fmt(build.tasksPerSec), fmt(build.dataFileBytes / 1024 ** 2),
          resident === null ? 'unknown' : `${cache} (${Math.round(resident * 100)}% resident)`,
          fmt(out.openMs), fmt(out.statsMs), fmt(out.rssMiB),
        ]);
      }
    } finally {
      dir.remove();
    }
  }
  return {
    title: 'Open a store: LmdbTaskQueue.open + stats() in a fresh process (build: 1,024 concurrent durable submits)',
    columns: ['queued tasks', 'build tasks/s', 'data.mdb MiB', 'page cache before open', 'open ms', 'stats ms', 'RSS MiB'],
    rows,
  };
}
