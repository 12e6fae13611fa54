// Path leases with real sidecar processes: three agents, six tasks whose paths overlap in
// pairs and chains. The work log (start/done per worker run) shows that no two tasks with
// overlapping paths ever ran at the same time, while disjoint ones did run side by side.
import { expect } from 'chai';
import { globSetsOverlap } from '../../storage/path-globs.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { SidecarFleet, waitFor, type WorkRun } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const hubTimings = { acceptance_timeout_ms: 3_000, stuck_after_ms: 60_000, sweep_interval_ms: 500 };

describe('path leases with real sidecars', function () {
  this.timeout(90_000);

  let hub: TestHub;
  let dir: TempDir;
  let fleet: SidecarFleet;

  beforeEach(async () => {
    hub = await startTestHub(hubTimings);
    dir = makeTempDir('fleet-leases');
    fleet = new SidecarFleet(dir.path, hub);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs());
    await fleet.stopAll();
    await hub.stop();
    dir.remove();
  });

  it('never runs two tasks with overlapping paths at once', async () => {
    const agents = ['lease-agent-1', 'lease-agent-2', 'lease-agent-3'];
    for (const agentId of agents) fleet.start(agentId, fleet.writeConfig(agentId, await hub.register(agentId)));
    await waitFor(async () => {
      const { body } = await hub.http('GET', '/api/agents', { token: null });
      return (body.agents as Array<{ fsm_state: string }>).filter((agent) => agent.fsm_state === 'idle').length === agents.length;
    }, 20_000, 'sidecars to connect', 100);

    const pathSets = [['src/**'], ['src/app.ts'], ['docs/**'], ['docs/*.md', 'src/util/*.ts'], ['tools/x.sh'], ['tools/**']];
    const taskPaths = new Map<string, string[]>();
    for (const [index, paths] of pathSets.entries()) {
      const { status, body } = await hub.http('POST', '/api/tasks', { body: { description: `edit ${index}`, paths, metadata: { work_ms: 600 } } });
      expect(status).to.equal(201);
      taskPaths.set(body.task_id as string, paths);
    }
    await waitFor(async () => {
      const tasks = await Promise.all([...taskPaths.keys()].map(async (id) => (await hub.http('GET', `/api/tasks/${id}`)).body));
      return tasks.every((task) => task.status === 'completed');
    }, 60_000, 'every task to complete', 200);

    const spans = runSpans(fleet.runs());
    expect(spans.size).to.equal(taskPaths.size);
    let concurrentDisjoint = 0;
    const ids = [...spans.keys()];
    for (const [i, a] of ids.entries()) {
      for (const b of ids.slice(i + 1)) {
        const x = spans.get(a)!;
        const y = spans.get(b)!;
        const together = x.start < y.done && y.start < x.done;
        if (globSetsOverlap(taskPaths.get(a)!, taskPaths.get(b)!)) {
          expect(together, `${taskPaths.get(a)} and ${taskPaths.get(b)} ran at the same time`).to.equal(false);
        } else if (together) {
          concurrentDisjoint += 1;
        }
      }
    }
    expect(concurrentDisjoint, 'disjoint tasks ran side by side').to.be.greaterThan(0);
  });
});

/** Each task's single run: when its worker started and when it wrote its result. */
function runSpans(runs: readonly WorkRun[]): Map<string, { start: number; done: number }> {
  const spans = new Map<string, { start: number; done: number }>();
  for (const run of runs) {
    const span = spans.get(run.task_id) ?? { start: Infinity, done: -Infinity };
    if (run.event === 'start') span.start = Math.min(span.start, run.at);
    else span.done = Math.max(span.done, run.at);
    spans.set(run.task_id, span);
  }
  return spans;
}
