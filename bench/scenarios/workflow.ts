// Workflows through the whole hub: a random DAG of 10,000 tasks (average fan-in 2),
// submitted with POST /api/tasks/bulk in requests of 1,000 (refs within a request,
// depends_on ids across requests) and drained by 100 agents, against a flat queue of the
// same size submitted the same way. The difference in hub CPU, divided by the edges, is
// what a dependency costs.
import { mulberry32, randomDag } from '../../test/support/random-dag.ts';
import { sharedClockMs } from '../lib/bullmq-settings.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import type { HubProcess } from '../lib/hub-process.ts';
import { withHub } from '../lib/hub-session.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import { ratePerSec } from '../lib/sample-stats.ts';
import type { Metrics, Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';
import { agentCapabilities } from '../lib/task-fixture.ts';

const load = { tasks: 10_000, quickTasks: 1_000, fanIn: 2, agents: 100, requestItems: 1_000, seed: 16 } as const;

async function submitGraph(hub: HubProcess, stage: string, dag: number[][] | null, count: number): Promise<{ firstSubmitAt: number; edges: number }> {
  const ids: string[] = [];
  let edges = 0;
  const firstSubmitAt = sharedClockMs();
  for (let start = 0; start < count; start += load.requestItems) {
    const tasks = [];
    for (let i = start; i < Math.min(count, start + load.requestItems); i += 1) {
      const deps = dag?.[i] ?? [];
      edges += deps.length;
      const inRequest = deps.filter((j) => j >= start).map((j) => `n${j}`);
      const earlier = deps.filter((j) => j < start).map((j) => ids[j]!);
      tasks.push({
        description: `workflow ${stage} ${i}`, needed_capabilities: ['typescript'], metadata: { s: stage, t: sharedClockMs() },
        ...(dag ? { ref: `n${i}` } : {}),
        ...(inRequest.length ? { depends_on_refs: inRequest } : {}),
        ...(earlier.length ? { depends_on: earlier } : {}),
      });
    }
    const response = await fetch(`${hub.url}/api/tasks/bulk`, {
      method: 'POST', headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ tasks }),
    });
    const body = (await response.json()) as { results?: Array<{ ok: boolean; task_id: string; code?: string }> };
    if (response.status !== 200 || !body.results) throw new Error(`bulk submit: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    for (const result of body.results) {
      if (!result.ok) throw new Error(`bulk item refused: ${result.code}`);
      ids.push(result.task_id);
    }
  }
  return { firstSubmitAt, edges };
}

export const workflowScenario: Scenario = {
  name: 'workflow',
  description: `${load.tasks} tasks as a random DAG (fan-in ${load.fanIn}) vs a flat queue, bulk submit, ${load.agents} agents; tasks/s and hub CPU per edge`,
  async run(ctx) {
    const count = ctx.quick ? load.quickTasks : load.tasks;
    const dag = randomDag(count, load.fanIn, mulberry32(load.seed));
    const metrics: Metrics = {};
    const { value: rows } = await withHub({ label: 'workflow', progress: ctx.progress }, async ({ hub }) => {
      const [agents] = await startHubClients(hub, 1, 'workflow-client');
      try {
        await agents.call('connectAgents', {
          specs: agentSpecs(load.agents, () => agentCapabilities),
          options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
        });
        const rows = [];
        for (const [stage, graph] of [['flat', null], ['dag', dag], ['flat-again', null]] as const) {
          ctx.progress.stage(`${stage}: ${count} tasks`);
          const cpu = new CpuMeter(hub.pid);
          const { firstSubmitAt, edges } = await submitGraph(hub, stage, graph, count);
          await agents.call('waitFor', stage, 'completed', count, 600_000);
          const used = cpu.read();
          const figures = await agents.call('stage', stage);
          const tasksPerSec = ratePerSec(count, figures.lastCompleteAt - firstSubmitAt);
          Object.assign(metrics, { [`${stage}.tasksPerSec`]: tasksPerSec, [`${stage}.hubCpuMs`]: used.cpuMs, [`${stage}.edges`]: edges });
          rows.push({ stage, edges, tasksPerSec, cpuMs: used.cpuMs, cores: used.cores });
          ctx.progress.stage(`${stage}: ${Math.round(tasksPerSec)} tasks/s, hub CPU ${Math.round(used.cpuMs)} ms`);
        }
        await agents.call('closeAgents');
        return rows;
      } finally {
        await closeClients([agents]);
      }
    });
    const flatCpuMs = (rows[0]!.cpuMs + rows[2]!.cpuMs) / 2;
    const dagRow = rows[1]!;
    const extraUsPerEdge = ((dagRow.cpuMs - flatCpuMs) * 1000) / dagRow.edges;
    metrics['dag.extraCpuUsPerEdge'] = extraUsPerEdge;
    return {
      status: 'measured',
      metrics,
      tables: [{
        title: `Workflow drain through the hub (durable; ${load.agents} agents; ${count} tasks per stage; bulk requests of ${load.requestItems})`,
        columns: ['stage', 'edges', 'tasks/s end to end', 'hub CPU ms', 'hub CPU ms/task', 'hub CPU cores'],
        rows: rows.map((row) => [row.stage, row.edges, fmt(row.tasksPerSec), fmt(row.cpuMs), fmt(row.cpuMs / count), fmt(row.cores)]),
      }],
      notes: [
        `DAG: node i depends on about ${load.fanIn} of the nodes before it, drawn uniformly (seed ${load.seed}); within a request by ref, across requests by id. Flat: the same tasks without dependencies, measured before and after the DAG (their mean is the baseline).`,
        `Extra hub CPU per edge: (DAG CPU − flat CPU) ÷ edges = ${fmt(extraUsPerEdge)} µs. Every dependency costs one edge write at submit and one range read and one count write when its task completes.`,
        'tasks/s end to end: tasks ÷ (first bulk request sent → last completion acknowledged). A DAG drains at most as fast as its longest chain allows: agents idle while waiting tasks wait.',
      ],
    };
  },
};
