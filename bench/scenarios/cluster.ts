// Scale-out on NATS JetStream, under the lifecycle scenario's load (same agents, tasks,
// submit shapes and warm-up): (a) one hub on LMDB, (b) one hub on JetStream with one nats
// node, (c) two hubs on a 3-node cluster with stream replicas 3, agents and submits split
// between the hubs. Hub and nats-server CPU per task come from /proc; docs/scale-out.md
// turns them into a prediction for N hubs on N machines (this 2-core machine cannot show it).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { lifecycleLoad } from '../lib/comparison-load.ts';
import { agentSpecs, closeClients, startHubClients, type HubClient } from '../lib/hub-clients.ts';
import { newAdminToken, startHubProcess, type HubProcess } from '../lib/hub-process.ts';
import type { Progress } from '../lib/progress.ts';
import type { BenchContext, Metrics, ResultTable, Scenario } from '../lib/scenario.ts';
import { skipped } from '../lib/scenario.ts';
import { measureSpreadStage } from '../lib/spread-stage.ts';
import { fmt } from '../lib/table-format.ts';
import { agentCapabilities } from '../lib/task-fixture.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import { startNatsCluster, startNatsNode, type NatsNode } from '../../test/support/nats-server.ts';
import { lifecycleStages } from './lifecycle.ts';

interface Setup {
  key: string;
  label: string;
  natsNodes: 0 | 1 | 3;
  hubs: number;
}

const setups: readonly Setup[] = [
  { key: 'lmdb', label: 'one hub, LMDB', natsNodes: 0, hubs: 1 },
  { key: 'jetstream1', label: 'one hub, JetStream on 1 node (R1)', natsNodes: 1, hubs: 1 },
  { key: 'jetstream3', label: 'two hubs, JetStream on 3 nodes (R3)', natsNodes: 3, hubs: 2 },
];

/** The nats-server nodes of one setup, with their pids for /proc. */
interface RunningNats {
  urls: string[];
  nodes: NatsNode[];
  stop(): Promise<void>;
}

async function startNats(count: 0 | 1 | 3): Promise<RunningNats> {
  if (count === 0) return { urls: [], nodes: [], stop: async () => {} };
  if (count === 1) {
    const node = await startNatsNode();
    return { urls: [node.url], nodes: [node], stop: () => node.stop() };
  }
  const cluster = await startNatsCluster(count);
  return { urls: cluster.urls, nodes: cluster.nodes, stop: () => cluster.stop() };
}

function natsServerMissing(): string | null {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return probe.error ? 'nats-server is not installed (Debian: apt-get install nats-server; .ci/run installs it)' : null;
}

async function runSetup(ctx: BenchContext, setup: Setup, metrics: Metrics): Promise<ResultTable['rows']> {
  const progress = ctx.progress.child(setup.key);
  const tasks = ctx.quick ? lifecycleLoad.quickTasks : lifecycleLoad.tasks;
  const warmup = ctx.quick ? lifecycleLoad.quickWarmupTasks : lifecycleLoad.warmupTasks;
  const dir = makeTempDir(`cluster-${setup.key}`);
  const hubs: HubProcess[] = [];
  const clients: HubClient[] = [];
  let nats: RunningNats | null = null;
  let failed = false;
  try {
    nats = await startNats(setup.natsNodes);
    if (nats.nodes.length > 0) progress.stage(`nats-server ${nats.nodes.length === 1 ? 'node' : 'cluster'} up: ${nats.urls.join(', ')}`);
    const adminToken = newAdminToken();
    for (let i = 0; i < setup.hubs; i++) {
      const config = nats.urls.length === 0 ? {} : {
        engine: 'jetstream', nats_servers: nats.urls, nats_replicas: setup.natsNodes, hub_name: `bench-hub-${i}`,
        // Measures cost, not fencing: runs on the machine's nats-server even when it lacks the CAS fix (AC_ERR_NATS_UNSAFE).
        allow_unsafe_nats_server: true,
      };
      const hub = await startHubProcess({ dataDir: join(dir.path, `data-${i}`), logPath: join(dir.path, `hub-${i}.log`), adminToken, config });
      hubs.push(hub);
      await hub.waitReady();
      progress.stage(`hub ${i} pid ${hub.pid} on port ${hub.port}`);
    }
    const [agents] = await startHubClients(hubs[0]!, 1, `${setup.key}-agents`, 4);
    clients.push(agents!);
    const submitters: HubClient[] = [];
    for (const [i, hub] of hubs.entries()) {
      const [submitter] = await startHubClients(hub, 1, `${setup.key}-submitter-${i}`, lifecycleLoad.waveSize);
      clients.push(submitter!);
      submitters.push(submitter!);
    }
    const specs = agentSpecs(lifecycleLoad.agents, () => agentCapabilities).map((spec, i) => ({ ...spec, wsUrl: hubs[i % hubs.length]!.wsUrl }));
    const connected = await agents!.call('connectAgents', {
      specs, options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
    });
    progress.stage(`${connected.connected} agents identified${hubs.length > 1 ? ` (split over ${hubs.length} hubs)` : ''}; warm-up ${warmup} tasks`);
    const stageInput = { hubPids: hubs.map((hub) => hub.pid), natsPids: nats.nodes.map((node) => node.pid() ?? -1), agents: agents!, submitters, progress };
    await measureSpreadStage({ ...stageInput, plan: { stage: 'warmup', count: warmup, shape: 'closed', concurrency: lifecycleLoad.submitConcurrency } });

    const rows: ResultTable['rows'] = [];
    for (const stage of lifecycleStages) {
      progress.stage(`${stage.label}: ${tasks} tasks (load ${loadavg()[0]!.toFixed(2)})`);
      const result = await measureSpreadStage({ ...stageInput, plan: { stage: stage.key, count: tasks, ...stage.plan } });
      const prefix = `${setup.key}.${stage.key}.`;
      Object.assign(metrics, {
        [`${prefix}tasksPerSec`]: result.tasksPerSec, [`${prefix}stalledTasks`]: tasks - result.completed,
        [`${prefix}assignP50Ms`]: result.figures.assignMs.p50, [`${prefix}assignP99Ms`]: result.figures.assignMs.p99,
        [`${prefix}completeP99Ms`]: result.figures.completeMs.p99,
        [`${prefix}hubCpuMsPerTask`]: result.hubCpuMsPerTask, [`${prefix}hubCpuCores`]: result.hubCpuCores,
        [`${prefix}natsCpuMsPerTask`]: result.natsCpuMsPerTask, [`${prefix}natsCpuCores`]: result.natsCpuCores,
        [`${prefix}loadAtStart`]: result.loadAtStart,
      });
      const natsCost = nats.nodes.length > 0 ? `, nats ${fmt(result.natsCpuMsPerTask)} CPU ms/task` : '';
      progress.stage(`${stage.key}: ${Math.round(result.tasksPerSec)} tasks/s, hub ${fmt(result.hubCpuMsPerTask)} CPU ms/task${natsCost}`);
      rows.push([
        setup.label, stage.label, result.stalled ? `${result.completed} of ${tasks} (stalled)` : tasks, fmt(result.tasksPerSec),
        fmt(result.figures.assignMs.p50), fmt(result.figures.assignMs.p99), fmt(result.figures.completeMs.p99),
        fmt(result.hubCpuMsPerTask), result.hubCpuMsPerTaskEach.length > 1 ? result.hubCpuMsPerTaskEach.map((value) => fmt(value)).join(' + ') : '',
        result.natsCpuMsPerTaskEach.length > 0 ? fmt(result.natsCpuMsPerTask) : '',
        result.natsCpuMsPerTaskEach.length > 1 ? result.natsCpuMsPerTaskEach.map((value) => fmt(value)).join(' + ') : '',
        fmt(result.hubCpuCores + result.natsCpuCores), `${result.loadAtStart.toFixed(2)} → ${result.loadAtEnd.toFixed(2)}`,
      ]);
    }
    await agents!.call('closeAgents');
    return rows;
  } catch (error) {
    failed = true;
    progress.stage(`failed; hub logs and data kept in ${dir.path}`);
    throw error;
  } finally {
    await closeClients(clients).catch(() => {});
    await Promise.all(hubs.map((hub) => hub.kill()));
    await nats?.stop().catch(() => {});
    if (!failed && process.env.BENCH_KEEP !== '1') dir.remove();
  }
}

export const clusterScenario: Scenario = {
  name: 'cluster',
  description: `scale-out: the lifecycle load (${lifecycleLoad.agents} agents) on one LMDB hub, one JetStream hub (1 nats node), two hubs on a 3-node cluster (R3); tasks/s, latency, hub and nats-server CPU per task`,
  async run(ctx) {
    const missing = natsServerMissing();
    if (missing) return skipped(missing);
    const tasks = ctx.quick ? lifecycleLoad.quickTasks : lifecycleLoad.tasks;
    const warmup = ctx.quick ? lifecycleLoad.quickWarmupTasks : lifecycleLoad.warmupTasks;
    const metrics: Metrics = {};
    const rows: ResultTable['rows'] = [];
    for (const setup of setups) rows.push(...await runSetup(ctx, setup, metrics));
    return {
      status: 'measured',
      tables: [{
        title: `Lifecycle load on one hub and on a cluster (durable; ${lifecycleLoad.agents} agents; ${tasks} tasks per stage after ${warmup} warm-up; latencies in ms, same machine for everything)`,
        columns: ['setup', 'submit shape', 'tasks', 'tasks/s end to end', 'assign p50', 'assign p99', 'complete p99',
          'hub CPU ms/task', 'per hub', 'nats CPU ms/task', 'per node', 'CPU cores busy', 'load 1 min'],
        rows,
        textColumns: 2,
      }],
      metrics,
      notes: [
        'Every process of every setup runs on this one machine: the hubs, the nats-server nodes, one agent client process (all agents) and one submitter per hub. On 2 cores the two-hub setup cannot go faster than one hub; read its CPU per task, not its tasks/s, and see docs/scale-out.md for what it predicts on N machines.',
        'Two hubs: agent i connects to hub i mod 2; each hub gets half the tasks from its own submitter, with half the concurrency (32 POSTs in flight, waves of 500), so the offered load equals one hub\'s.',
        'hub CPU ms/task: utime + stime of every hub process (all threads) over the stage, ÷ tasks; "per hub" splits it. nats CPU ms/task: the same for every nats-server process; "per node" splits it. Each task is one submit, one assignment, one acceptance and one completion.',
        'JetStream setups: every change is a compare-and-set on the task\'s key in the tasks KV bucket, acknowledged by the stream (R3: by a quorum of nodes) before the hub answers; nats-server store on the temp dir\'s disk, fsync as nats-server does it by default.',
        'A stage that completes no task for 30 s stops there: its row shows how many completed, and its figures cover those. On a clustered stream, nats-server 2.9.10 (the Debian package) and other releases with issue #4320 may accept two concurrent compare-and-sets expecting the same revision, so two hubs can both assign one task and a stage can stall; see docs/scale-out.md.',
        'load 1 min: the machine\'s 1-minute load average as the stage started → ended. On a shared machine the figures are from a loaded machine; the CPU per task is the steadier figure.',
        ctx.profile ? '--profile is not supported by this scenario (run `lifecycle --profile` for the hub\'s own profile).' : '',
      ].filter(Boolean),
    };
  },
};
