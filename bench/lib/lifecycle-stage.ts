// One measured stage of submit → assign → complete through a running hub: the submitter
// sends `tasks` tasks, the agents finish them, and the hub's CPU and RSS are read around it.
import type { StageFigures } from './stage-stats.ts';
import type { HubClient } from './hub-clients.ts';
import type { HubProcess } from './hub-process.ts';
import { CpuMeter } from './proc-stats.ts';
import { ratePerSec } from './sample-stats.ts';
import type { SubmitOutcome, SubmitPlan } from './task-submitter.ts';

export interface StageResult {
  figures: StageFigures;
  submitted: SubmitOutcome;
  tasksPerSec: number;
  hubCpuCores: number;
  hubCpuMsPerTask: number;
  hubRssMiB: number;
}

export async function measureLifecycleStage(hub: HubProcess, agents: HubClient, submitter: HubClient, plan: SubmitPlan): Promise<StageResult> {
  const cpu = new CpuMeter(hub.pid);
  const submitted = await submitter.call('submit', plan);
  await agents.call('waitFor', plan.stage, 'completed', plan.count, 300_000);
  const used = cpu.read();
  const hubRssMiB = hub.rssMiB();
  const figures = await agents.call('stage', plan.stage);
  return {
    figures,
    submitted,
    tasksPerSec: ratePerSec(plan.count, figures.lastCompleteAt - submitted.firstSubmitAt),
    hubCpuCores: used.cores,
    hubCpuMsPerTask: used.cpuMs / plan.count,
    hubRssMiB,
  };
}
