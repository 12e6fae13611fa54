// One measured lifecycle stage over one or more hubs (cluster scenario): the plan's tasks
// and its concurrency are split between one submitter per hub, one swarm holds every agent
// (each on its own hub), and CPU is read from /proc for every hub and every nats-server
// process around the stage. One hub and one submitter is the lifecycle scenario's stage.
import { loadavg } from 'node:os';
import type { HubClient } from './hub-clients.ts';
import { CpuMeter } from './proc-stats.ts';
import type { Progress } from './progress.ts';
import { ratePerSec } from './sample-stats.ts';
import type { StageFigures } from './stage-stats.ts';
import type { SubmitPlan } from './task-submitter.ts';

export interface SpreadStageInput {
  hubPids: number[];
  natsPids: number[];
  agents: HubClient;
  /** One per hub, each posting to its own hub. */
  submitters: HubClient[];
  plan: SubmitPlan;
  progress: Progress;
}

export interface SpreadStageResult {
  figures: StageFigures;
  /** Tasks whose completion was acknowledged; below the plan's count when the stage stalled. */
  completed: number;
  /** No completion for `stallMs`: the stage ended with tasks left (figures cover the completed ones). */
  stalled: boolean;
  tasksPerSec: number;
  /** Every hub together, and each hub. */
  hubCpuMsPerTask: number;
  hubCpuMsPerTaskEach: number[];
  hubCpuCores: number;
  /** Every nats-server node together, and each node (empty on LMDB). */
  natsCpuMsPerTask: number;
  natsCpuMsPerTaskEach: number[];
  natsCpuCores: number;
  /** 1-minute load average as the stage started and ended. */
  loadAtStart: number;
  loadAtEnd: number;
}

const progressEveryMs = 5_000;
const pollMs = 250;
/** A stage with no completion for this long is over: its missing tasks are reported, not waited for. */
const stallMs = 30_000;

export async function measureSpreadStage(input: SpreadStageInput): Promise<SpreadStageResult> {
  const { plan, submitters } = input;
  const parts = submitters.length;
  const counts = Array.from({ length: parts }, (_, i) => Math.floor(plan.count / parts) + (i < plan.count % parts ? 1 : 0));
  const share = (value: number | undefined) => (value === undefined ? undefined : Math.max(1, Math.round(value / parts)));
  const loadAtStart = loadavg()[0]!;
  const hubMeters = input.hubPids.map((pid) => new CpuMeter(pid));
  const natsMeters = input.natsPids.map((pid) => new CpuMeter(pid));
  // Progress and the stall watch run while the submitters still submit.
  const [submitted, { completed, stalled }] = await Promise.all([
    Promise.all(submitters.map((submitter, i) => submitter.call('submit', {
      ...plan, count: counts[i]!, concurrency: share(plan.concurrency), waveSize: share(plan.waveSize),
    }))),
    awaitCompletions(input),
  ]);
  const hubCpu = hubMeters.map((meter) => meter.read());
  const natsCpu = natsMeters.map((meter) => meter.read());
  const figures = await input.agents.call('stage', plan.stage);
  const firstSubmitAt = Math.min(...submitted.map((outcome) => outcome.firstSubmitAt));
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    figures,
    completed,
    stalled,
    tasksPerSec: ratePerSec(completed, figures.lastCompleteAt - firstSubmitAt),
    hubCpuMsPerTask: sum(hubCpu.map((used) => used.cpuMs)) / completed,
    hubCpuMsPerTaskEach: hubCpu.map((used) => used.cpuMs / completed),
    hubCpuCores: sum(hubCpu.map((used) => used.cores)),
    natsCpuMsPerTask: sum(natsCpu.map((used) => used.cpuMs)) / completed,
    natsCpuMsPerTaskEach: natsCpu.map((used) => used.cpuMs / completed),
    natsCpuCores: sum(natsCpu.map((used) => used.cores)),
    loadAtStart,
    loadAtEnd: loadavg()[0]!,
  };
}

/** Polls the swarm until every task of the stage completed, or none completed for `stallMs`; prints progress meanwhile. */
async function awaitCompletions({ agents, plan, progress }: SpreadStageInput): Promise<{ completed: number; stalled: boolean }> {
  let completed = 0;
  let lastChangeAt = performance.now();
  let lastPrintAt = performance.now();
  for (;;) {
    const now = performance.now();
    const figures = await agents.call('stage', plan.stage);
    if (figures.completed !== completed) {
      completed = figures.completed;
      lastChangeAt = now;
    }
    if (completed >= plan.count) return { completed, stalled: false };
    if (now - lastChangeAt > stallMs) {
      progress.stage(`${plan.stage}: STALLED at ${completed}/${plan.count} completed (none for ${stallMs / 1000} s); the figures cover the completed tasks`);
      return { completed, stalled: true };
    }
    if (now - lastPrintAt >= progressEveryMs) {
      lastPrintAt = now;
      progress.stage(`${plan.stage}: ${completed}/${plan.count} completed`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
