// What metrics recording costs per task: the lifecycle "single" stage on fresh hubs with
// recording on and off (AGENTCOM_METRICS_RECORDING), alternated over rounds so drift in
// the machine's load hits both, comparing hub CPU per task. The best round of each counts.
import { agentCapabilities } from './task-fixture.ts';
import { lifecycleLoad } from './comparison-load.ts';
import { agentSpecs, closeClients, startHubClients } from './hub-clients.ts';
import { withHub } from './hub-session.ts';
import { measureLifecycleStage } from './lifecycle-stage.ts';
import type { BenchContext, Metrics, ResultTable } from './scenario.ts';
import { fmt } from './table-format.ts';

const rounds = 2;

async function hubCpuMsPerTask(ctx: BenchContext, recording: boolean, tasks: number, warmup: number): Promise<{ cpuMsPerTask: number; tasksPerSec: number }> {
  const { value } = await withHub({
    label: `lifecycle-metrics-${recording ? 'on' : 'off'}`, progress: ctx.progress,
    hub: { env: { AGENTCOM_METRICS_RECORDING: String(recording) } },
  }, async ({ hub }) => {
    const [agents, submitter] = await startHubClients(hub, 2, 'lifecycle-client', lifecycleLoad.waveSize);
    try {
      await agents.call('connectAgents', {
        specs: agentSpecs(lifecycleLoad.agents, () => agentCapabilities),
        options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
      });
      await submitter.call('submit', { stage: 'warmup', count: warmup, shape: 'closed', concurrency: lifecycleLoad.submitConcurrency });
      await agents.call('waitFor', 'warmup', 'completed', warmup, 120_000);
      const result = await measureLifecycleStage(hub, agents, submitter, { stage: 'single', count: tasks, shape: 'closed', concurrency: lifecycleLoad.submitConcurrency });
      await agents.call('closeAgents');
      return { cpuMsPerTask: result.hubCpuMsPerTask, tasksPerSec: result.tasksPerSec };
    } finally {
      await closeClients([agents, submitter]);
    }
  });
  return value;
}

export async function metricsCostTable(ctx: BenchContext, tasks: number, warmup: number, metrics: Metrics): Promise<ResultTable> {
  const best = { on: { cpuMsPerTask: Infinity, tasksPerSec: 0 }, off: { cpuMsPerTask: Infinity, tasksPerSec: 0 } };
  for (let round = 1; round <= rounds; round += 1) {
    for (const recording of [false, true]) {
      ctx.progress.stage(`metrics cost, round ${round}/${rounds}: recording ${recording ? 'on' : 'off'}, ${tasks} tasks`);
      const measured = await hubCpuMsPerTask(ctx, recording, tasks, warmup);
      const slot = recording ? best.on : best.off;
      if (measured.cpuMsPerTask < slot.cpuMsPerTask) Object.assign(slot, measured);
    }
  }
  const costUs = (best.on.cpuMsPerTask - best.off.cpuMsPerTask) * 1000;
  const sharePct = (costUs / (best.on.cpuMsPerTask * 1000)) * 100;
  Object.assign(metrics, {
    'metrics.onCpuUsPerTask': best.on.cpuMsPerTask * 1000, 'metrics.offCpuUsPerTask': best.off.cpuMsPerTask * 1000,
    'metrics.costUsPerTask': costUs, 'metrics.costSharePct': sharePct,
  });
  return {
    title: `Metrics recording cost (single stage, ${tasks} tasks per run, best of ${rounds} alternated runs each; hub CPU from /proc)`,
    columns: ['metrics recording', 'hub CPU µs/task', 'tasks/s end to end', 'cost µs/task', 'share of hub CPU'],
    rows: [
      ['off', fmt(best.off.cpuMsPerTask * 1000), fmt(best.off.tasksPerSec), '', ''],
      ['on', fmt(best.on.cpuMsPerTask * 1000), fmt(best.on.tasksPerSec), fmt(costUs), `${fmt(sharePct)}%`],
    ],
  };
}
