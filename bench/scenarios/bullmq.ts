// BullMQ on a local redis-server, measured the way the queue scenario measures AgentCom:
// adds/s (addBulk and single add), completions/s with a Worker of the same concurrency,
// and add→complete latency at the same offered rate. Run twice: appendfsync everysec
// (BullMQ's production advice) and appendfsync always (the durability AgentCom gives).
import { comparisonLoad, lifecycleLoad } from '../lib/comparison-load.ts';
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

interface LifecycleTwin {
  tasks: number;
  jobsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

interface ModeFigures {
  lifecycle: Record<'single' | 'bulk', LifecycleTwin>;
  bulkAddsPerSec: number;
  singleAddsPerSec: number;
  completedPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  redisVersion: string;
}

export const bullmqScenario: Scenario = {
  name: 'bullmq',
  description: 'BullMQ + redis-server (AOF everysec and always) on the loads of the lifecycle and queue scenarios, side by side',
  async run(ctx) {
    if (!(await loadIORedis())) {
      return skipped('BullMQ 6 needs a Redis driver and none is installed: add ioredis as a devDependency (npm install --save-dev ioredis)');
    }
    const binary = findRedisServer((line) => ctx.progress.stage(line));
    if (!binary) return skipped(`redis-server not found; install it with: ${redisInstallLine}`);

    const agentcom = agentcomFigures(ctx);
    const hub = lifecycleFigures(ctx);
    // Same task count as the lifecycle run we compare with, whatever its --quick.
    const lifecycleTasks = hub.metrics?.['single.tasks'] ?? (ctx.quick ? lifecycleLoad.quickTasks : lifecycleLoad.tasks);
    const metrics: Metrics = {};
    const tables: ResultTable[] = [];
    const byMode = {} as Record<AppendFsync, ModeFigures>;
    let redisVersion = 'unknown';
    for (const appendfsync of ['everysec', 'always'] as const) {
      const figures = await measureMode(ctx, binary, appendfsync, lifecycleTasks);
      byMode[appendfsync] = figures;
      redisVersion = figures.redisVersion;
      for (const [key, value] of Object.entries(figures)) if (typeof value === 'number') metrics[`${appendfsync}.${key}`] = value;
      for (const shape of ['single', 'bulk'] as const) {
        for (const [key, value] of Object.entries(figures.lifecycle[shape])) metrics[`${appendfsync}.lifecycle.${shape}.${key}`] = value;
      }
      tables.push(comparisonTable(appendfsync, figures, agentcom));
    }
    tables.unshift(...([['single', 'single'], ['batched', 'bulk'], ['bulk', 'bulk']] as const)
      .map(([ours, theirs]) => lifecycleTable(ours, theirs, byMode, hub)));
    return {
      status: 'measured',
      tables,
      metrics,
      notes: [
        `Lifecycle tables: the lifecycle scenario's load through BullMQ. ${lifecycleTasks} jobs after ${ctx.quick ? lifecycleLoad.quickWarmupTasks : lifecycleLoad.warmupTasks} warm-up; one Worker with concurrency ${lifecycleLoad.agents} (AgentCom: ${lifecycleLoad.agents} agents); producer: add with ${lifecycleLoad.submitConcurrency} in flight (AgentCom: ${lifecycleLoad.submitConcurrency} POSTs in flight) or addBulk × ${lifecycleLoad.waveSize} (AgentCom: waves of ${lifecycleLoad.waveSize} concurrent POSTs, and POST /api/tasks/bulk × ${lifecycleLoad.waveSize}, one transaction per request). Latency: add call started → Worker 'completed' event; AgentCom: POST started → task_ack complete on the agent's socket. ${hub.source}`,
        'Fair to BullMQ: the settings of its production guide, Worker concurrency equal to our agent count, the job handler returns at once as our agents do, and no per-job network hop to a separate agent process, which AgentCom pays on every task.',
        `BullMQ settings (its production guide): redis ${redisVersion}, appendonly yes, maxmemory-policy noeviction, RDB snapshots off; removeOnComplete {count: 1000}, removeOnFail {count: 5000}, attempts 3; Worker concurrency ${comparisonLoad.concurrency} in the appendfsync tables, ${lifecycleLoad.agents} in the lifecycle tables; client ioredis with maxRetriesPerRequest null.`,
        'Processes: redis-server (1), BullMQ producer (1), BullMQ Worker (1), each separate (AgentCom lifecycle: hub 1, agents 1, submitter 1); the harness process only waits. All share the 2 cores.',
        'appendfsync tables: AgentCom figures from the queue scenario, its storage layer called in-process with no network, while BullMQ figures cross loopback TCP to redis; the lifecycle tables compare whole systems.',
        'appendfsync everysec acknowledges before the fsync (up to ~1 s of acknowledged jobs can be lost on a crash); always and AgentCom acknowledge after it.',
        `Advantage: AgentCom ÷ BullMQ for rates, BullMQ ÷ AgentCom for latencies; above 1× favours AgentCom. ${agentcom.source}`,
      ],
    };
  },
};

async function measureMode(ctx: BenchContext, binary: string, appendfsync: AppendFsync, lifecycleTasks: number): Promise<ModeFigures> {
  const redis = await startRedisServer(binary, appendfsync);
  ctx.progress.stage(`redis-server ${redis.version} pid ${redis.pid} on port ${redis.port}, appendfsync ${appendfsync}`);
  try {
    const port = redis.port;
    const bulkCount = ctx.quick ? 10_000 : 100_000;
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
    const lifecycle = {
      single: await lifecycleTwin(ctx, port, 'single', lifecycleTasks),
      bulk: await lifecycleTwin(ctx, port, 'bulk', lifecycleTasks),
    };
    return {
      lifecycle,
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

/** The lifecycle scenario's load through BullMQ: a Worker of `agents` concurrency, then the producer. */
async function lifecycleTwin(ctx: BenchContext, port: number, shape: 'single' | 'bulk', tasks: number): Promise<LifecycleTwin> {
  const warmupCount = ctx.quick ? lifecycleLoad.quickWarmupTasks : lifecycleLoad.warmupTasks;
  ctx.progress.stage(`lifecycle twin (${shape}): ${tasks} jobs, Worker concurrency ${lifecycleLoad.agents}`);
  const worker = startChild<BullmqWorkerInput, BullmqWorkerOutput>(workerUrl, {
    port, concurrency: lifecycleLoad.agents, expected: warmupCount + tasks, warmupJobs: 0, measuredFlag: true,
  });
  await worker.ready;
  const produced = await runChild<BullmqProducerInput, BullmqProducerOutput>(producerUrl, {
    port, mode: 'lifecycle', shape, warmupCount, count: tasks, inFlight: lifecycleLoad.submitConcurrency, batch: lifecycleLoad.waveSize,
  });
  const done = await worker.result;
  const firstAddAt = produced.firstMeasuredAddAt ?? NaN;
  return {
    tasks,
    jobsPerSec: (tasks * 1000) / (done.lastMeasuredCompletedAt - firstAddAt),
    p50Ms: done.latencyMs.p50,
    p99Ms: done.latencyMs.p99,
    p999Ms: done.latencyMs.p999,
  };
}

function lifecycleFigures(ctx: BenchContext): AgentcomFigures {
  const inRun = ctx.earlier.get('lifecycle');
  if (inRun) return { metrics: inRun, source: 'AgentCom figures: lifecycle scenario of this run.' };
  const saved = latestMetrics('lifecycle');
  if (saved) return { metrics: saved.metrics, source: `AgentCom figures: ${saved.path} (run \`npm run bench -- lifecycle bullmq\` to get both from one run).` };
  return { metrics: null, source: 'No AgentCom lifecycle figures: run `npm run bench -- lifecycle bullmq`.' };
}

/** `ourShape`: the lifecycle stage (single, batched, bulk) set beside BullMQ's `shape` (add or addBulk). */
function lifecycleTable(ourShape: 'single' | 'batched' | 'bulk', shape: 'single' | 'bulk', byMode: Record<AppendFsync, ModeFigures>, hub: AgentcomFigures): ResultTable {
  const ours = (name: string) => hub.metrics?.[`${ourShape}.${name}`];
  const always = byMode.always.lifecycle[shape];
  const everysec = byMode.everysec.lifecycle[shape];
  const rows: Array<[string, number | undefined, number, number, 'rate' | 'latency']> = [
    ['tasks/s end to end', ours('tasksPerSec'), always.jobsPerSec, everysec.jobsPerSec, 'rate'],
    ['submit→complete p50 ms', ours('completeP50Ms'), always.p50Ms, everysec.p50Ms, 'latency'],
    ['submit→complete p99 ms', ours('completeP99Ms'), always.p99Ms, everysec.p99Ms, 'latency'],
    ['submit→complete p99.9 ms', ours('completeP999Ms'), always.p999Ms, everysec.p999Ms, 'latency'],
  ];
  const ratio = (ourValue: number | undefined, theirs: number, kind: 'rate' | 'latency') => (kind === 'rate' ? fmtRatio(ourValue, theirs) : fmtRatio(theirs, ourValue));
  const load = {
    single: `${lifecycleLoad.submitConcurrency} POSTs in flight vs add with ${lifecycleLoad.submitConcurrency} in flight`,
    batched: `waves of ${lifecycleLoad.waveSize} concurrent POSTs vs addBulk × ${lifecycleLoad.waveSize}`,
    bulk: `POST /api/tasks/bulk × ${lifecycleLoad.waveSize} vs addBulk × ${lifecycleLoad.waveSize}`,
  }[ourShape];
  return {
    title: `Lifecycle side by side, ${ourShape} submits (${always.tasks} tasks; ${load}; ${lifecycleLoad.agents} agents vs Worker concurrency ${lifecycleLoad.agents})`,
    columns: ['figure', 'AgentCom hub', 'BullMQ always', 'advantage', 'BullMQ everysec', 'advantage'],
    rows: rows.map(([name, ourValue, theirsAlways, theirsEverysec, kind]) => [
      name, fmt(ourValue), fmt(theirsAlways), ratio(ourValue, theirsAlways, kind), fmt(theirsEverysec), ratio(ourValue, theirsEverysec, kind),
    ]),
  };
}
