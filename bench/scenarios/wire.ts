// N agents over real sockets doing the full lifecycle as fast as they can, for several N:
// how throughput, assignment latency and the hub's CPU and memory move with fleet size.
import { agentCapabilities } from '../lib/task-fixture.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { withHub } from '../lib/hub-session.ts';
import { measureLifecycleStage } from '../lib/lifecycle-stage.ts';
import type { Metrics, ResultTable, Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';

const submitConcurrency = 128;

export const wireScenario: Scenario = {
  name: 'wire',
  description: 'N agents (10, 100, 1000) over real sockets, full lifecycle flat out: tasks/s, submit→assign, hub CPU and RSS',
  async run(ctx) {
    const fleetSizes = ctx.quick ? [10, 100] : [10, 100, 1000];
    const tasks = ctx.quick ? 2000 : 10_000;
    const metrics: Metrics = {};
    const rows: ResultTable['rows'] = [];
    for (const agentCount of fleetSizes) {
      // A fresh hub per fleet size, so each starts from the same empty store and heap.
      await withHub({ label: `wire-${agentCount}`, progress: ctx.progress }, async ({ hub }) => {
        const baseRss = hub.rssMiB();
        const [agents, submitter] = await startHubClients(hub, 2, `wire-${agentCount}`, submitConcurrency);
        try {
          await agents.call('connectAgents', {
            specs: agentSpecs(agentCount, () => agentCapabilities),
            options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
          });
          ctx.progress.stage(`${agentCount} agents: warm-up, then ${tasks} tasks with ${submitConcurrency} POSTs in flight`);
          await submitter.call('submit', { stage: 'warmup', count: 1000, shape: 'closed', concurrency: submitConcurrency });
          await agents.call('waitFor', 'warmup', 'completed', 1000, 120_000);
          const result = await measureLifecycleStage(hub, agents, submitter, {
            stage: 'flat-out', count: tasks, shape: 'closed', concurrency: submitConcurrency,
          });
          const { figures } = result;
          ctx.progress.stage(`${agentCount} agents: ${Math.round(result.tasksPerSec)} tasks/s`);
          Object.assign(metrics, {
            [`n${agentCount}.tasksPerSec`]: result.tasksPerSec,
            [`n${agentCount}.assignP50Ms`]: figures.assignMs.p50,
            [`n${agentCount}.assignP99Ms`]: figures.assignMs.p99,
            [`n${agentCount}.hubCpuCores`]: result.hubCpuCores,
            [`n${agentCount}.hubCpuMsPerTask`]: result.hubCpuMsPerTask,
            [`n${agentCount}.hubRssMiB`]: result.hubRssMiB,
          });
          rows.push([
            agentCount, tasks, fmt(result.tasksPerSec), fmt(figures.assignMs.p50), fmt(figures.assignMs.p99),
            fmt(figures.completeMs.p50), fmt(figures.completeMs.p99), fmt(result.hubCpuCores), fmt(result.hubCpuMsPerTask),
            fmt(baseRss), fmt(result.hubRssMiB),
          ]);
          await agents.call('closeAgents');
        } finally {
          await closeClients([agents, submitter]);
        }
      });
    }
    return {
      status: 'measured',
      tables: [{
        title: `Full lifecycle flat out over real sockets (durable; ${tasks} tasks per fleet after 1,000 warm-up; ${submitConcurrency} POSTs in flight; a fresh hub per fleet size)`,
        columns: ['agents', 'tasks', 'tasks/s', 'assign p50 ms', 'assign p99 ms', 'complete p50 ms', 'complete p99 ms', 'hub CPU cores', 'hub CPU ms/task', 'hub RSS at start MiB', 'hub RSS at end MiB'],
        rows,
      }],
      metrics,
      notes: [
        'Processes: hub 1; agents 1 (all sockets in one `ws` client process); submitter 1; the harness process only waits.',
        'Hub CPU: /proc/<pid>/stat utime + stime (all threads, lmdb-js writer included) over the measured stage; 1.0 = one core.',
      ],
    };
  },
};
