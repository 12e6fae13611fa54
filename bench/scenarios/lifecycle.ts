// The whole hub, durable: 100 simulated agents on /ws, tasks submitted over HTTP, each
// assigned, accepted and completed over the socket. Two submit shapes with the same
// task count: 64 POSTs in flight ("single"), and waves of 1,000 concurrent POSTs
// ("batched"; the API has no bulk call). --profile runs the hub under --cpu-prof.
import { agentCapabilities, fixturePayloadBytes } from '../lib/task-fixture.ts';
import { lifecycleLoad } from '../lib/comparison-load.ts';
import { profileTables } from '../lib/cpu-profile.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { withHub } from '../lib/hub-session.ts';
import { measureLifecycleStage } from '../lib/lifecycle-stage.ts';
import { ratePerSec } from '../lib/sample-stats.ts';
import type { Metrics, ResultTable, Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';
import { metricsCostTable } from '../lib/metrics-cost.ts';
import type { SubmitPlan } from '../lib/task-submitter.ts';

export const lifecycleStages = [
  { key: 'single', label: `single: ${lifecycleLoad.submitConcurrency} POSTs in flight`, plan: { shape: 'closed', concurrency: lifecycleLoad.submitConcurrency } },
  { key: 'batched', label: `batched: waves of ${lifecycleLoad.waveSize} concurrent POSTs`, plan: { shape: 'waves', waveSize: lifecycleLoad.waveSize } },
] as const;

export const lifecycleScenario: Scenario = {
  name: 'lifecycle',
  description: `whole hub, durable: ${lifecycleLoad.agents} agents on /ws, HTTP submit → assign → accept → complete; tasks/s and latency`,
  async run(ctx) {
    const tasks = ctx.quick ? lifecycleLoad.quickTasks : lifecycleLoad.tasks;
    const warmup = ctx.quick ? lifecycleLoad.quickWarmupTasks : lifecycleLoad.warmupTasks;
    const metrics: Metrics = {};
    const { value: rows, profile } = await withHub({ label: 'lifecycle', progress: ctx.progress, profile: ctx.profile }, async ({ hub }) => {
      const [agents, submitter] = await startHubClients(hub, 2, 'lifecycle-client', lifecycleLoad.waveSize);
      try {
        const connected = await agents.call('connectAgents', {
          specs: agentSpecs(lifecycleLoad.agents, () => agentCapabilities),
          options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
        });
        ctx.progress.stage(`${connected.connected} agents identified in ${fmt(connected.elapsedMs)} ms; warm-up ${warmup} tasks`);
        await submitter.call('submit', { stage: 'warmup', count: warmup, shape: 'closed', concurrency: lifecycleLoad.submitConcurrency });
        await agents.call('waitFor', 'warmup', 'completed', warmup, 120_000);
        const rows: ResultTable['rows'] = [];
        for (const stage of lifecycleStages) {
          ctx.progress.stage(`${stage.label}: ${tasks} tasks`);
          const plan: SubmitPlan = { stage: stage.key, count: tasks, ...stage.plan };
          const { figures, submitted, tasksPerSec, hubCpuCores, hubCpuMsPerTask, hubRssMiB: rss } = await measureLifecycleStage(hub, agents, submitter, plan);
          const prefix = `${stage.key}.`;
          Object.assign(metrics, {
            [`${prefix}tasks`]: tasks,
            [`${prefix}tasksPerSec`]: tasksPerSec,
            [`${prefix}submitsPerSec`]: ratePerSec(submitted.accepted, submitted.lastReplyAt - submitted.firstSubmitAt),
            [`${prefix}assignP50Ms`]: figures.assignMs.p50, [`${prefix}assignP99Ms`]: figures.assignMs.p99, [`${prefix}assignP999Ms`]: figures.assignMs.p999,
            [`${prefix}completeP50Ms`]: figures.completeMs.p50, [`${prefix}completeP99Ms`]: figures.completeMs.p99, [`${prefix}completeP999Ms`]: figures.completeMs.p999,
            [`${prefix}hubCpuCores`]: hubCpuCores, [`${prefix}hubCpuMsPerTask`]: hubCpuMsPerTask, [`${prefix}hubRssMiB`]: rss,
          });
          ctx.progress.stage(`${stage.key}: ${Math.round(tasksPerSec)} tasks/s end to end`);
          rows.push([
            stage.label, tasks, fmt(tasksPerSec),
            fmt(figures.assignMs.p50), fmt(figures.assignMs.p99), fmt(figures.assignMs.p999),
            fmt(figures.completeMs.p50), fmt(figures.completeMs.p99), fmt(figures.completeMs.p999),
            fmt(submitted.httpMs.p50), fmt(hubCpuCores), fmt(hubCpuMsPerTask), fmt(rss),
          ]);
        }
        await agents.call('closeAgents');
        return rows;
      } finally {
        await closeClients([agents, submitter]);
      }
    });
    const tables: ResultTable[] = [{
      title: `Task lifecycle through the hub (durable; ${lifecycleLoad.agents} agents; ${tasks} tasks per stage after ${warmup} warm-up; latencies in ms from the submitter's clock to the agent's, same machine)`,
      columns: ['submit shape', 'tasks', 'tasks/s end to end', 'assign p50', 'assign p99', 'assign p99.9', 'complete p50', 'complete p99', 'complete p99.9', 'POST p50', 'hub CPU cores', 'hub CPU ms/task', 'hub RSS MiB'],
      rows,
    }];
    if (profile) tables.push(...profileTables(profile, 'lifecycle, both stages and the warm-up'));
    tables.push(await metricsCostTable(ctx, tasks, warmup, metrics));
    return {
      status: 'measured',
      tables,
      metrics,
      notes: [
        'Processes: hub 1 (node runtime/bin/agentcom.mjs start, durable LMDB, log level info to a file; lmdb-js commits on its own thread), agents 1 (100 `ws` sockets), submitter 1 (node:http keep-alive); the harness process only waits.',
        `Task: ${fixturePayloadBytes} B JSON body plus submit stamp, 1 needed capability, priority normal. Agents answer task_assign with task_accepted and task_complete at once.`,
        'tasks/s end to end: tasks ÷ (first submit → last completion acknowledged). assign: submit → task_assign frame; complete: submit → task_ack {status: complete} (the completion is on disk).',
        'Hub CPU from /proc/<pid>/stat (utime + stime, all threads) over the stage; 1.0 = one core busy.',
      ],
    };
  },
};
