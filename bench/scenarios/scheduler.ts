// The scheduler with a big fleet and a mixed queue: 1k agents across 8 capability sets.
// Hub A (empty store): memory per agent actor (idle sockets) and per in-flight task
// (every agent holding one), then decision latency at a steady submit rate.
// Hub B (a store with 100k queued tasks of the 8 sets): assignments/s while 1k agents drain it
// (--profile: hub B runs under --cpu-prof).
// Hubs C and D: one seeded backlog whose tasks lease random paths, drained without and with the paths.
import { runChild } from '../lib/child-process.ts';
import { profileTables, type ProfileSummary } from '../lib/cpu-profile.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { assignDecisionLatencies, logSize } from '../lib/hub-log.ts';
import { withHub } from '../lib/hub-session.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import { summarize } from '../lib/sample-stats.ts';
import type { BenchContext, Metrics, ResultTable, Scenario } from '../lib/scenario.ts';
import { pathTreeFiles, randomFileSets, randomPathSets } from '../lib/random-paths.ts';
import type { LeaseGateInput, LeaseGateOutput } from '../workers/lease-gate.ts';
import { fmt } from '../lib/table-format.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import type { QueueBuildInput, QueueBuildOutput } from '../workers/queue-build.ts';

// Disjoint, so the held stage (one task per agent) can fill every agent exactly: with
// nested sets a greedy scheduler may give a narrow task to a broad agent and strand another.
export const capabilitySets = [
  ['typescript'], ['python'], ['go'], ['rust'],
  ['docker', 'java'], ['cuda', 'gpu'], ['kotlin', 'android'], ['ios', 'swift'],
];
/** Agent i can do the tasks of set i % 8 and nothing else. */
const agentCapabilitiesOf = (i: number) => [...capabilitySets[i % capabilitySets.length], 'git'];
const agentCount = 1000;
const pacedRatePerSec = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface DrainFigures {
  rate: number;
  overallRate: number;
  connectMs: number;
  assignedDuringConnect: number;
  drainMs: number;
  rssMiB: number;
  cpuCores: number;
  /** Hub CPU (all threads) per assignment over the whole run: connect, drain and completions. */
  cpuMsPerAssignment: number;
  /** Hub CPU per assignment once every agent is connected: the scheduling decisions and their tasks' lifecycles, without the connect storm. */
  drainCpuMsPerAssignment: number;
  drainCpuCores: number;
}

/** Builds a store of queued tasks, starts a hub on it and lets every agent drain it (completing at once). */
async function drainBacklog(
  ctx: BenchContext, label: string, build: Omit<QueueBuildInput, 'dir' | 'concurrency'>, specs: ReturnType<typeof agentSpecs>,
  agentOptions: { mode: 'complete'; pingIntervalMs: number; reconnect: boolean; recordAckedIds: boolean }, profileIt: boolean,
): Promise<{ drain: DrainFigures; profile: ProfileSummary | null }> {
  const store = makeTempDir(`${label}-store`);
  try {
    ctx.progress.stage(`building a store of ${build.count.toLocaleString('en-US')} queued tasks over 8 capability sets${build.pathSets ? ', with paths' : ''}`);
    await runChild<QueueBuildInput, QueueBuildOutput>(new URL('../workers/queue-build.ts', import.meta.url), { dir: store.path, concurrency: 1024, ...build });
    const { value: drain, profile } = await withHub({ label, progress: ctx.progress, dataDir: store.path, profile: profileIt }, async ({ hub }) => {
      const [agents] = await startHubClients(hub, 1, label, 1);
      try {
        const cpu = new CpuMeter(hub.pid);
        const connectStartedAt = performance.timeOrigin + performance.now();
        const connected = await agents.call('connectAgents', { specs, options: agentOptions });
        const atConnect = await agents.call('stage', 'prebuilt');
        const drainCpu = new CpuMeter(hub.pid);
        const connectedAt = connectStartedAt + connected.elapsedMs;
        ctx.progress.stage(`${agentCount} agents connected in ${fmt(connected.elapsedMs)} ms (${atConnect.assigned} assigned meanwhile); draining`);
        await agents.call('waitFor', 'prebuilt', 'completed', build.count, 600_000);
        const done = await agents.call('stage', 'prebuilt');
        const rssMiB = hub.rssMiB();
        const used = cpu.read();
        const drained = drainCpu.read();
        await agents.call('closeAgents');
        return {
          cpuCores: used.cores,
          cpuMsPerAssignment: used.cpuMs / done.assigned,
          drainCpuMsPerAssignment: drained.cpuMs / (done.assigned - atConnect.assigned),
          drainCpuCores: drained.cores,
          rate: ((done.assigned - atConnect.assigned) * 1000) / (done.lastAssignAt - connectedAt),
          overallRate: (done.assigned * 1000) / (done.lastAssignAt - done.firstAssignAt),
          connectMs: connected.elapsedMs,
          assignedDuringConnect: atConnect.assigned,
          drainMs: done.lastCompleteAt - done.firstAssignAt,
          rssMiB,
        };
      } finally {
        await closeClients([agents]);
      }
    });
    return { drain, profile };
  } finally {
    store.remove();
  }
}

export const schedulerScenario: Scenario = {
  name: 'scheduler',
  description: `${agentCount} agents, 8 capability sets: assignments/s draining 100k queued, decision latency, memory per agent and per in-flight task, path leases on and off`,
  async run(ctx) {
    const agentOptions = { mode: 'complete' as const, pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false };
    const specs = agentSpecs(agentCount, agentCapabilitiesOf);
    const fleet = ctx.leasesOnly ? null : await fleetStages(ctx, specs, agentOptions);
    const leases = await leaseStages(ctx, specs, agentOptions);
    return {
      status: 'measured',
      tables: [...(fleet?.tables ?? []), ...leases.tables],
      metrics: { ...fleet?.metrics, ...leases.metrics },
      notes: [...(fleet?.notes ?? []), ...leases.notes],
    };
  },
};

type AgentOptions = { mode: 'complete'; pingIntervalMs: number; reconnect: boolean; recordAckedIds: boolean };
type Stages = { tables: ResultTable[]; metrics: Metrics; notes: string[] };

/** Hub A: memory and decision latency; hub B: the drain of a 100k backlog. */
async function fleetStages(ctx: BenchContext, specs: ReturnType<typeof agentSpecs>, agentOptions: AgentOptions): Promise<Stages> {
  const backlog = ctx.quick ? 5_000 : 100_000;
  const pacedTasks = ctx.quick ? 1000 : 5000;
  const settleMs = ctx.quick ? 1500 : 3000;

  // Hub A: memory and decision latency.
  const { value: memory } = await withHub({ label: 'scheduler-a', progress: ctx.progress, hub: { logLevel: 'debug' } }, async ({ hub, logPath }) => {
    const [agents, submitter] = await startHubClients(hub, 2, 'scheduler-a', 64);
    try {
      await sleep(settleMs);
      const rss0 = hub.rssMiB();
      await agents.call('connectAgents', { specs, options: { ...agentOptions, mode: 'hold' } });
      await sleep(settleMs);
      const rss1 = hub.rssMiB();
      ctx.progress.stage(`${agentCount} idle agents: RSS ${fmt(rss0)} → ${fmt(rss1)} MiB; now one held task per agent`);
      await submitter.call('submit', { stage: 'held', count: agentCount, shape: 'closed', concurrency: 64, capabilitySets });
      await agents.call('waitFor', 'held', 'assigned', agentCount, 120_000);
      await sleep(settleMs);
      const rss2 = hub.rssMiB();
      ctx.progress.stage(`${agentCount} in-flight tasks: RSS ${fmt(rss2)} MiB; releasing them`);
      await agents.call('setMode', 'complete');
      await agents.call('releaseHeld');
      await agents.call('waitFor', 'held', 'completed', agentCount, 120_000);

      ctx.progress.stage(`decision latency: ${pacedTasks} tasks at ${pacedRatePerSec}/s, mixed capabilities`);
      const offset = logSize(logPath);
      await submitter.call('submit', { stage: 'paced', count: pacedTasks, shape: 'paced', ratePerSec: pacedRatePerSec, capabilitySets });
      await agents.call('waitFor', 'paced', 'completed', pacedTasks, 120_000);
      await sleep(500);
      const decision = summarize(assignDecisionLatencies(logPath, offset));
      const wire = await agents.call('stage', 'paced');
      await agents.call('closeAgents');
      return { rss0, rss1, rss2, decision, wire };
    } finally {
      await closeClients([agents, submitter]);
    }
  });

  // Hub B: drain rate over a prebuilt backlog.
  const drainProfiled = await drainBacklog(ctx, 'scheduler-b', { count: backlog, capabilitySets }, specs, agentOptions, ctx.profile);
  const drain = drainProfiled.drain;
  const profile = drainProfiled.profile;

  const perAgentKiB = ((memory.rss1 - memory.rss0) * 1024) / agentCount;
  const perTaskKiB = ((memory.rss2 - memory.rss1) * 1024) / agentCount;
  return {
    metrics: {
      assignmentsPerSec: drain.rate, assignmentsPerSecOverall: drain.overallRate, drainHubCpuCores: drain.cpuCores,
      decisionP50Ms: memory.decision.p50, decisionP99Ms: memory.decision.p99,
      submitToAssignP50Ms: memory.wire.assignMs.p50, submitToAssignP99Ms: memory.wire.assignMs.p99,
      rssKiBPerAgent: perAgentKiB, rssKiBPerInFlightTask: perTaskKiB,
    },
    tables: [
      {
        title: `Draining ${backlog.toLocaleString('en-US')} queued tasks (8 capability sets) with ${agentCount} agents completing at once (durable)`,
        columns: ['assignments/s once all connected', 'assignments/s overall', 'connect ms', 'assigned during connect', 'drain s', 'hub CPU cores', 'hub RSS at end MiB'],
        rows: [[fmt(drain.rate), fmt(drain.overallRate), fmt(drain.connectMs), drain.assignedDuringConnect, fmt(drain.drainMs / 1000), fmt(drain.cpuCores), fmt(drain.rssMiB)]],
      },
      {
        title: `Decision latency: ${pacedTasks} tasks at ${pacedRatePerSec}/s offered (open loop), mixed capabilities, ${agentCount} idle agents`,
        columns: ['interval', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'samples'],
        rows: [
          ['queued → assigned (hub log, history timestamps)', fmt(memory.decision.p50), fmt(memory.decision.p99), fmt(memory.decision.p999), fmt(memory.decision.max), memory.decision.count],
          ['submit → task_assign frame (client clocks)', fmt(memory.wire.assignMs.p50), fmt(memory.wire.assignMs.p99), fmt(memory.wire.assignMs.p999), fmt(memory.wire.assignMs.max), memory.wire.assignMs.count],
        ],
      },
      {
        title: `Hub memory (RSS, ${settleMs} ms after each step; no forced GC, so ±a few MiB)`,
        columns: ['state', 'hub RSS MiB', 'KiB each'],
        rows: [
          ['empty hub', fmt(memory.rss0), ''],
          [`+ ${agentCount} idle agents (socket + agent actor + registry entry)`, fmt(memory.rss1), fmt(perAgentKiB)],
          [`+ ${agentCount} in-flight tasks (one held per agent: task actor + assignment)`, fmt(memory.rss2), fmt(perTaskKiB)],
        ],
      },
      ...(profile ? profileTables(profile, `hub B: start on ${backlog.toLocaleString('en-US')} queued, 1,000 agents connect and drain`) : []),
    ],
    notes: [
      'Processes: hub 1; agents 1 (1,000 `ws` sockets); submitter 1 (hub A only); the store for hub B is built beforehand by one more process with the LMDB queue in-process (1,024 concurrent durable submits). The harness process only waits.',
      `Capability sets: ${capabilitySets.map((set) => set.join('+')).join(', ')}; agent i has set i mod 8 plus git, so each task fits 1/8 of the fleet.`,
      '"queued → assigned" is the hub\'s own figure (ms resolution) from its "task assigned" log lines (debug level, so hub A runs at log level debug): enqueue commit to assignment commit.',
    ],
  };
}

/** Hubs C, D and E: one seeded backlog drained without paths, with single-file leases and with folder globs; then the queue alone. */
async function leaseStages(ctx: BenchContext, specs: ReturnType<typeof agentSpecs>, agentOptions: AgentOptions): Promise<Stages> {
  // Hubs C and D: the same seeded backlog drained without and with path leases.
  const leaseBacklog = ctx.quick ? 5_000 : 30_000;
  const leaseRounds = ctx.quick ? 1 : 2;
  const pathSets = randomPathSets(leaseBacklog, 19);
  ctx.progress.stage(`path leases: ${leaseBacklog.toLocaleString('en-US')} tasks, random path sets over ${pathTreeFiles.toLocaleString('en-US')} files, without then with leases`);
  // Runs on one machine drift (page cache, other processes, which run comes first), so the runs
  // without paths and with file leases alternate (C E, then E C) and their means are compared.
  const fileSets = randomFileSets(leaseBacklog, 19);
  const plainRuns: DrainFigures[] = [];
  const fileRuns: DrainFigures[] = [];
  let plainProfile: ProfileSummary | null = null;
  let filesProfile: ProfileSummary | null = null;
  for (let round = 0; round < leaseRounds; round += 1) {
    const order = round % 2 === 0 ? (['plain', 'files'] as const) : (['files', 'plain'] as const);
    for (const run of order) {
      const profileIt = ctx.profile && round === 0;
      if (run === 'plain') {
        const { drain: figures, profile: summary } = await drainBacklog(ctx, 'scheduler-c', { count: leaseBacklog, capabilitySets }, specs, agentOptions, profileIt);
        plainRuns.push(figures);
        plainProfile ??= summary;
      } else {
        const { drain: figures, profile: summary } = await drainBacklog(ctx, 'scheduler-e', { count: leaseBacklog, capabilitySets, pathSets: fileSets }, specs, agentOptions, profileIt);
        fileRuns.push(figures);
        filesProfile ??= summary;
      }
    }
  }
  const plain = meanOf(plainRuns);
  const filesLeased = meanOf(fileRuns);
  const fileLeaseCost = 1 - filesLeased.rate / plain.rate;
  const { drain: leased, profile: globsProfile } = await drainBacklog(ctx, 'scheduler-d', { count: leaseBacklog, capabilitySets, pathSets }, specs, agentOptions, ctx.profile);
  const leaseCost = 1 - leased.rate / plain.rate;
  ctx.progress.stage('path leases in process: the queue alone, claims in batches of 1,000, without then with paths');
  const gateInput = { count: ctx.quick ? 5_000 : 20_000, agents: agentCount, seed: 19 };
  const gate = (paths: LeaseGateInput['paths']) => runChild<LeaseGateInput, LeaseGateOutput>(new URL('../workers/lease-gate.ts', import.meta.url), { ...gateInput, paths });
  const gateOff = await gate('none');
  const gateDisjoint = await gate('disjoint');
  const gateOn = await gate('random');
  return {
    metrics: {
      leasesOffAssignmentsPerSec: plain.rate, leasesOnAssignmentsPerSec: leased.rate,
      leasesOffCpuMsPerAssignment: plain.drainCpuMsPerAssignment, leasesOnCpuMsPerAssignment: leased.drainCpuMsPerAssignment,
      fileLeasesCpuMsPerAssignment: filesLeased.drainCpuMsPerAssignment,
      leaseDrainCostShare: leaseCost, fileLeasesAssignmentsPerSec: filesLeased.rate, fileLeaseDrainCostShare: fileLeaseCost,
      leaseGateOffCpuMsPerAssignment: gateOff.cpuMsPerAssignment, leaseGateDisjointCpuMsPerAssignment: gateDisjoint.cpuMsPerAssignment,
      leaseGateRandomCpuMsPerAssignment: gateOn.cpuMsPerAssignment,
    },
    tables: [
      {
        title: `Path leases: draining ${leaseBacklog.toLocaleString('en-US')} queued tasks (8 capability sets) with ${agentCount} agents, tasks leasing random paths over a ${pathTreeFiles.toLocaleString('en-US')}-file tree`,
        columns: ['run', 'assignments/s once all connected', 'hub CPU ms per assignment, drain only', 'hub CPU cores, drain only', 'hub CPU ms per assignment, with connect', 'connect s', 'drain s'],
        rows: [
          ...[...plainRuns.map((run, i) => [`without paths, run ${i + 1}`, run] as const), ...fileRuns.map((run, i) => [`1-4 random single files per task, run ${i + 1}`, run] as const)]
            .map(([name, run]) => [name, fmt(run.rate), fmt(run.drainCpuMsPerAssignment), fmt(run.drainCpuCores), fmt(run.cpuMsPerAssignment), fmt(run.connectMs / 1000), fmt(run.drainMs / 1000)]),
          [`without paths, mean of ${plainRuns.length}`, fmt(plain.rate), fmt(plain.drainCpuMsPerAssignment), fmt(plain.drainCpuCores), fmt(plain.cpuMsPerAssignment), fmt(plain.connectMs / 1000), fmt(plain.drainMs / 1000)],
          [`single files, mean of ${fileRuns.length}`, fmt(filesLeased.rate), fmt(filesLeased.drainCpuMsPerAssignment), fmt(filesLeased.drainCpuCores), fmt(filesLeased.cpuMsPerAssignment), fmt(filesLeased.connectMs / 1000), fmt(filesLeased.drainMs / 1000)],
          ['cost of file leases (share of drain rate; CPU more per assignment)', `${fmt(fileLeaseCost * 100)} %`, `${fmt(filesLeased.drainCpuMsPerAssignment - plain.drainCpuMsPerAssignment)} ms more`, '', '', '', ''],
          ['with 1-4 random globs (80% files, 15% `sub/**`, 5% `sub/*.ts`), one run', fmt(leased.rate), fmt(leased.drainCpuMsPerAssignment), fmt(leased.drainCpuCores), fmt(leased.cpuMsPerAssignment), fmt(leased.connectMs / 1000), fmt(leased.drainMs / 1000)],
          ['cost of leases with folder globs (share of drain rate)', `${fmt(leaseCost * 100)} %`, `${fmt(leased.drainCpuMsPerAssignment - plain.drainCpuMsPerAssignment)} ms more`, '', '', '', ''],
        ],
      },
      {
        title: `Path leases in process: the LMDB queue alone draining ${gateInput.count.toLocaleString('en-US')} tasks, ${agentCount} claims per batch, each assigned task completed before the next batch`,
        columns: ['run', 'CPU ms per assignment', 'wall ms per assignment', 'batches', 'empty claims (held back by a lease)'],
        rows: [
          ['without paths', fmt(gateOff.cpuMsPerAssignment), fmt(gateOff.wallMsPerAssignment), gateOff.rounds, gateOff.emptyClaims],
          ['paths that never overlap (checks and leases, no waits)', fmt(gateDisjoint.cpuMsPerAssignment), fmt(gateDisjoint.wallMsPerAssignment), gateDisjoint.rounds, gateDisjoint.emptyClaims],
          ['random paths over the 10,000-file tree (checks, leases and real waits)', fmt(gateOn.cpuMsPerAssignment), fmt(gateOn.wallMsPerAssignment), gateOn.rounds, gateOn.emptyClaims],
        ],
      },
      ...(plainProfile ? profileTables(plainProfile, `hub C: ${leaseBacklog.toLocaleString('en-US')} queued without paths`) : []),
      ...(filesProfile ? profileTables(filesProfile, `hub E: ${leaseBacklog.toLocaleString('en-US')} queued, 1-4 single-file leases each`) : []),
      ...(globsProfile ? profileTables(globsProfile, `hub D: ${leaseBacklog.toLocaleString('en-US')} queued, 1-4 random globs each (folders too)`) : []),
    ],
    notes: [
      'Path leases: the same seeded backlog is built without paths, with 1-4 random single files per task (a held-back task always has free ones behind it), and with 1-4 random globs (80% single files, 15% a sub-folder `/**`, 5% `*.ts` of a sub-folder: with ~1,000 tasks in flight most sub-folders are leased, so this run also measures how little of such a workload can run at once). The runs without paths and with single files alternate (C E, then E C) and are compared by their means. Agents complete at once, so the in-flight leases are the ~1,000 tasks being handed over. "Drain only" CPU is read from the moment every agent is connected: the connect storm (presence to 1,000 sockets) varies by several seconds between runs and is not a scheduling cost.',
    ],
  };
}

/** The mean of each figure over repeated runs of one configuration. */
function meanOf(runs: readonly DrainFigures[]): DrainFigures {
  const mean = (pick: (run: DrainFigures) => number) => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  return {
    rate: mean((run) => run.rate), overallRate: mean((run) => run.overallRate), connectMs: mean((run) => run.connectMs),
    assignedDuringConnect: mean((run) => run.assignedDuringConnect), drainMs: mean((run) => run.drainMs), rssMiB: mean((run) => run.rssMiB),
    cpuCores: mean((run) => run.cpuCores), cpuMsPerAssignment: mean((run) => run.cpuMsPerAssignment),
    drainCpuMsPerAssignment: mean((run) => run.drainCpuMsPerAssignment), drainCpuCores: mean((run) => run.drainCpuCores),
  };
}
