// BullMQ on a local redis-server, measured the way the queue scenario measures AgentCom:
// adds/s (addBulk and single add), completions/s with a Worker of the same concurrency,
// and add→complete latency at the same offered rate. Run twice: appendfsync everysec
// (BullMQ's production advice) and appendfsync always (the durability AgentCom gives).
import { comparisonLoad } from '../lib/comparison-load.ts';
import { startChild, runChild } from '../lib/child-process.ts';
import { loadIORedis } from '../lib/ioredis-client.ts';
import { findRedisServer, redisInstallLine, startRedisServer, type AppendFsync } from '../lib/redis-server.ts';
import { latestMetrics } from '../lib/results-file.ts';
import { skipped, type BenchContext, type Metrics, type ResultTable, type Scenario } from '../lib/scenario.ts';
import { fmt, fmtRatio } from '../lib/table-format.ts';
import type { BullmqProducerInput, BullmqProducerOutput } from '../workers/bullmq-producer.ts';
import type { BullmqWorkerInput, BullmqWorkerOutput } from '../workers/bullmq-worker.ts';

const producerUrl = new URL('../workers/bullmq-producer.ts', import.meta.url);
const workerUrl = new URL('../workers/bullmq-worker.ts', import.meta.url);

interface ModeFigures {
  bulkAddsPerSec: number;
  singleAddsPerSec: number;
  completedPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  redisVersion: string;
}

export const bullmqScenario: Scenario = {
  name: 'bullmq',
  description: 'BullMQ + redis-server (AOF everysec and always) on the same load as the queue scenario, side by side',
  async run(ctx) {
    if (!(await loadIORedis())) {
      return skipped('BullMQ 6 needs a Redis driver and none is installed: add ioredis as a devDependency (npm install --save-dev ioredis)');
    }
    const binary = findRedisServer((line) => ctx.progress.stage(line));
    if (!binary) return skipped(`redis-server not found; install it with: ${redisInstallLine}`);

    const agentcom = agentcomFigures(ctx);
    const metrics: Metrics = {};
    const tables: ResultTable[] = [];
    let redisVersion = 'unknown';
    for (const appendfsync of ['everysec', 'always'] as const) {
      const figures = await measureMode(ctx, binary, appendfsync);
      redisVersion = figures.redisVersion;
      for (const [key, value] of Object.entries(figures)) if (typeof value === 'number') metrics[`${appendfsync}.${key}`] = value;
      tables.push(comparisonTable(appendfsync, figures, agentcom));
    }
    return {
      status: 'measured',
      tables,
      metrics,
      notes: [
        `BullMQ settings (its production guide): redis ${redisVersion}, appendonly yes, maxmemory-policy noeviction, RDB snapshots off; removeOnComplete {count: 1000}, removeOnFail {count: 5000}, attempts 3; Worker concurrency ${comparisonLoad.concurrency}; client ioredis with maxRetriesPerRequest null.`,
        'Processes: redis-server (1), BullMQ producer (1), BullMQ Worker (1), each separate; the harness process only waits. All share the 2 cores.',
        'AgentCom figures are from the queue scenario: its storage layer called in-process, no network. BullMQ figures cross loopback TCP to redis. The hub API, once built, adds its own network hop.',
        'appendfsync everysec acknowledges before the fsync (up to ~1 s of acknowledged jobs can be lost on a crash); always and AgentCom acknowledge after it.',
        `Advantage: AgentCom ÷ BullMQ for rates, BullMQ ÷ AgentCom for latencies; above 1× favours AgentCom. ${agentcom.source}`,
      ],
    };
  },
};

async function measureMode(ctx: BenchContext, binary: string, appendfsync: AppendFsync): Promise<ModeFigures> {
  const redis = await startRedisServer(binary, appendfsync);
  ctx.progress.stage(`redis-server ${redis.version} pid ${redis.pid} on port ${redis.port}, appendfsync ${appendfsync}`);
  try {
    const port = redis.port;
    const bulkCount = ctx.quick ? 20_000 : 100_000;
    const bulk = await runChild<BullmqProducerInput, BullmqProducerOutput>(producerUrl, {
      port, mode: 'bulk', count: bulkCount, batch: comparisonLoad.bulkBatch, warmupCount: 5 * comparisonLoad.bulkBatch,
    });
    const single = await runChild<BullmqProducerInput, BullmqProducerOutput>(producerUrl, {
      port, mode: 'single', inFlight: comparisonLoad.concurrency, warmupMs: ctx.quick ? 500 : 2000, measureMs: ctx.quick ? 1500 : 5000,
    });
    ctx.progress.stage(`draining ${bulk.addedTotal + single.addedTotal} jobs with one Worker, concurrency ${comparisonLoad.concurrency}`);
    const drain = await runChild<BullmqWorkerInput, BullmqWorkerOutput>(workerUrl, {
      port, concurrency: comparisonLoad.concurrency, expected: bulk.addedTotal + single.addedTotal, warmupJobs: 5000,
    });

    const rate = comparisonLoad.pacedRatePerSec;
    const warmupJobs = Math.round((rate * (ctx.quick ? 500 : 2000)) / 1000);
    const pacedJobs = warmupJobs + Math.round((rate * (ctx.quick ? 2000 : 10_000)) / 1000);
    ctx.progress.stage(`add→complete latency at ${rate}/s offered, ${pacedJobs} jobs`);
    const paced = startChild<BullmqWorkerInput, BullmqWorkerOutput>(workerUrl, {
      port, concurrency: comparisonLoad.concurrency, expected: pacedJobs, warmupJobs,
    });
    // The Worker must be polling before the first add, or its start-up would count as latency.
    await paced.ready;
    await runChild<BullmqProducerInput, BullmqProducerOutput>(producerUrl, { port, mode: 'paced', ratePerSec: rate, count: pacedJobs });
    const latency = (await paced.result).latencyMs;
    return {
      bulkAddsPerSec: bulk.jobsPerSec,
      singleAddsPerSec: single.jobsPerSec,
      completedPerSec: drain.jobsPerSec,
      latencyP50Ms: latency.p50,
      latencyP99Ms: latency.p99,
      redisVersion: redis.version,
    };
  } finally {
    await redis.stop();
  }
}

interface AgentcomFigures {
  metrics: Metrics | null;
  source: string;
}

function agentcomFigures(ctx: BenchContext): AgentcomFigures {
  const inRun = ctx.earlier.get('queue');
  if (inRun) return { metrics: inRun, source: 'AgentCom figures: queue scenario of this run.' };
  const saved = latestMetrics('queue');
  if (saved) return { metrics: saved.metrics, source: `AgentCom figures: ${saved.path} (run \`npm run bench -- queue bullmq\` to get both from one run).` };
  return { metrics: null, source: 'No AgentCom figures: run `npm run bench -- queue bullmq`, or run queue with --json first.' };
}

function comparisonTable(appendfsync: AppendFsync, bullmq: ModeFigures, agentcom: AgentcomFigures): ResultTable {
  const ours = (key: string) => agentcom.metrics?.[key];
  const c = comparisonLoad.concurrency;
  const rows: Array<[string, number, string, number | undefined, 'rate' | 'latency']> = [
    [`adds/s, addBulk × ${comparisonLoad.bulkBatch}`, bullmq.bulkAddsPerSec, 'submit/s, 512 in flight (no bulk call)', ours('submit.c512.opsPerSec'), 'rate'],
    [`adds/s, add, ${c} in flight`, bullmq.singleAddsPerSec, `submit/s, ${c} in flight`, ours(`submit.c${c}.opsPerSec`), 'rate'],
    [`completed/s, Worker concurrency ${c}`, bullmq.completedPerSec, `claim+complete/s, ${c} claimers`, ours(`claimComplete.c${c}.opsPerSec`), 'rate'],
    [`add→complete p50 ms at ${comparisonLoad.pacedRatePerSec}/s`, bullmq.latencyP50Ms, 'submit→complete p50 ms', ours('lifecycle.paced.p50Ms'), 'latency'],
    [`add→complete p99 ms at ${comparisonLoad.pacedRatePerSec}/s`, bullmq.latencyP99Ms, 'submit→complete p99 ms', ours('lifecycle.paced.p99Ms'), 'latency'],
  ];
  return {
    title: `BullMQ, appendfsync ${appendfsync}${appendfsync === 'always' ? ' (durable like AgentCom)' : ' (BullMQ production advice; acks before fsync)'}`,
    columns: ['BullMQ figure', 'BullMQ', 'AgentCom equivalent', 'AgentCom', 'advantage'],
    textColumns: 1,
    rows: rows.map(([name, theirs, ourName, ourValue, kind]) => [
      name, fmt(theirs), ourName, fmt(ourValue),
      kind === 'rate' ? fmtRatio(ourValue, theirs) : fmtRatio(theirs, ourValue),
    ]),
  };
}
