// A real hub and real sidecar processes whose wake command runs a small worker
// script: the fleet scenarios of issue 6 (TEST-01, TEST-02, TEST-03).
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { SidecarFleet, waitFor } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

interface TaskView {
  id: string;
  status: string;
  assigned_to: string | null;
  generation: number;
  result: { output?: string } | null;
  history: Array<{ event: string; timestamp: number; details: Record<string, unknown> }>;
}

// Short hub timings: an unaccepted task returns in 3 s, sweeps run twice a second.
const hubTimings = { acceptance_timeout_ms: 3_000, stuck_after_ms: 60_000, sweep_interval_ms: 500 };

describe('sidecar fleet against a real hub', function () {
  this.timeout(60_000);

  let hub: TestHub;
  let dir: TempDir;
  let fleet: SidecarFleet;

  beforeEach(async () => {
    hub = await startTestHub(hubTimings);
    dir = makeTempDir('fleet');
    fleet = new SidecarFleet(dir.path, hub);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs());
    await fleet.stopAll();
    await hub.stop();
    dir.remove();
  });

  async function startAgents(count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, index) => `fleet-agent-${index + 1}`);
    for (const agentId of ids) fleet.start(agentId, fleet.writeConfig(agentId, await hub.register(agentId)));
    await waitFor(async () => {
      const { body } = await hub.http('GET', '/api/agents', { token: null });
      const idle = new Set((body.agents as Array<{ agent_id: string; fsm_state: string }>)
        .filter((agent) => agent.fsm_state === 'idle').map((agent) => agent.agent_id));
      return ids.every((agentId) => idle.has(agentId));
    }, 20_000, `${count} sidecars to connect`, 100);
    return ids;
  }

  async function submit(count: number, metadata: Record<string, unknown> = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const { status, body } = await hub.http('POST', '/api/tasks', { body: { description: `fleet task ${index + 1}`, metadata } });
      expect(status).to.equal(201);
      ids.push(body.task_id as string);
    }
    return ids;
  }

  async function fetchTasks(ids: string[]): Promise<TaskView[]> {
    return Promise.all(ids.map(async (id) => {
      const { status, body } = await hub.http('GET', `/api/tasks/${id}`);
      expect(status, `GET /api/tasks/${id}`).to.equal(200);
      return body as TaskView;
    }));
  }

  async function allCompleted(ids: string[], timeoutMs: number): Promise<TaskView[]> {
    let tasks: TaskView[] = [];
    await waitFor(async () => {
      tasks = await fetchTasks(ids);
      return tasks.every((task) => task.status === 'completed');
    }, timeoutMs, 'every task to complete', 100);
    return tasks;
  }

  const eventsOf = (task: TaskView, event: string) => task.history.filter((entry) => entry.event === event);

  /** Submit → first assignment, from the task's own history (newest first). */
  function assignmentLatencyMs(task: TaskView): number {
    const queued = eventsOf(task, 'queued').at(-1)!;
    const assigned = eventsOf(task, 'assigned').at(-1)!;
    return assigned.timestamp - queued.timestamp;
  }

  it('TEST-01: two agents complete ten tasks, each assigned within 5 s of submission', async () => {
    await startAgents(2);
    const ids = await submit(10);
    const tasks = await allCompleted(ids, 30_000);

    for (const task of tasks) {
      const latencyMs = assignmentLatencyMs(task);
      console.log(`      ${task.id} → ${task.assigned_to}: assigned ${latencyMs} ms after submit`);
      expect(latencyMs, `${task.id} assignment latency`).to.be.below(5_000);
      expect(eventsOf(task, 'completed')).to.have.length(1);
    }
    const runs = fleet.runs().filter((run) => run.event === 'start');
    expect(runs.map((run) => run.task_id).sort()).to.deep.equal([...ids].sort());
  });

  it('TEST-02: a sidecar killed with SIGKILL mid-task loses and duplicates nothing', async () => {
    const agents = await startAgents(2);
    // Long enough that the kill lands while the first tasks are still being worked on.
    const ids = await submit(4, { work_ms: 2_000 });
    await waitFor(async () => (await fetchTasks(ids)).some((task) => eventsOf(task, 'accepted').length > 0), 10_000, 'an accepted task');
    const victimTask = (await fetchTasks(ids)).find((task) => eventsOf(task, 'accepted').length > 0)!;
    const victimId = victimTask.assigned_to!;
    const victim = fleet.sidecars.find((sidecar) => sidecar.agentId === victimId)!;
    // Kill once its agent is at work, so the work itself runs twice but may be reported only once.
    await waitFor(() => fleet.runs().some((run) => run.event === 'start' && run.task_id === victimTask.id), 10_000, 'the victim to start work');
    await victim.kill();

    // The survivor finishes everything, the killed agent's task included.
    let tasks = await allCompleted(ids, 30_000);
    const survivor = agents.find((agentId) => agentId !== victimId)!;
    const recovered = tasks.find((task) => task.id === victimTask.id)!;
    expect(recovered.assigned_to).to.equal(survivor);
    expect(recovered.result?.output).to.equal(`done by ${survivor}`);
    expect(eventsOf(recovered, 'assigned').length).to.be.at.least(2);

    // The restarted sidecar recovers its stale task and must not report it a second time.
    const restarted = fleet.start(victimId, victim.configPath);
    await waitFor(async () => {
      const { body } = await hub.http('GET', `/api/agents/${victimId}/state`);
      return body.fsm_state === 'idle';
    }, 20_000, 'the restarted sidecar to come back idle', 100);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(restarted.running).to.equal(true);

    tasks = await fetchTasks(ids);
    for (const task of tasks) {
      expect(task.status, task.id).to.equal('completed');
      expect(eventsOf(task, 'completed'), `${task.id} completions`).to.have.length(1);
    }
    const { body: listed } = await hub.http('GET', '/api/tasks?limit=100');
    expect(listed.tasks.map((task: TaskView) => task.id).sort(), 'no task created or lost').to.deep.equal([...ids].sort());
  });

  it('TEST-03: four agents share twenty tasks, five ± two each', async () => {
    const agents = await startAgents(4);
    const ids = await submit(20, { work_ms: 300 });
    const tasks = await allCompleted(ids, 45_000);

    const perAgent = new Map(agents.map((agentId) => [agentId, 0]));
    for (const task of tasks) perAgent.set(task.assigned_to!, (perAgent.get(task.assigned_to!) ?? 0) + 1);
    console.log(`      tasks per agent: ${[...perAgent].map(([agentId, count]) => `${agentId}=${count}`).join(', ')}`);
    for (const [agentId, count] of perAgent) expect(count, agentId).to.be.within(3, 7);
    for (const task of tasks) expect(eventsOf(task, 'completed'), task.id).to.have.length(1);
  });
});
