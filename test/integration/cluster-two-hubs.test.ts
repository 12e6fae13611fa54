// Two real hubs (engine jetstream) on one real nats-server: one queue, agents split between
// them. A task submitted on hub A is completed by an agent on hub B; each hub's API lists
// every task and every agent with its hub; a task held by B's agent is left alone by A.
import { expect } from 'chai';
import type { TestHub } from '../support/hub-harness.ts';
import { startTwoHubCluster, type TwoHubCluster } from '../support/two-hub-cluster.ts';
import { waitFor } from '../support/wait-for.ts';

describe('cluster: two hubs on one JetStream queue', function () {
  this.timeout(60_000);
  let cluster: TwoHubCluster;
  let a: TestHub;
  let b: TestHub;

  beforeEach(async () => {
    cluster = await startTwoHubCluster();
    ({ a, b } = cluster);
  });

  afterEach(async () => {
    await cluster?.stop();
  });

  it('assigns a task submitted on hub A to an idle agent on hub B, which completes it', async () => {
    const worker = await b.connectAgent('worker-b', { capabilities: ['rust'] });
    const submitted = await a.http('POST', '/api/tasks', { body: { description: 'port the parser', needed_capabilities: ['rust'] } });
    expect(submitted.status).to.equal(201);
    const taskId = submitted.body.task_id ?? submitted.body.task?.id ?? submitted.body.id;
    const assign = await worker.ws.nextMessage('task_assign', 15_000);
    expect(assign.task_id).to.equal(taskId);
    await worker.ws.request({ type: 'task_accepted', task_id: taskId, generation: assign.generation }, 'task_ack');
    await worker.ws.request({ type: 'task_complete', task_id: taskId, generation: assign.generation, result: { ok: true } }, 'task_ack');
    await waitFor(async () => (await a.http('GET', `/api/tasks/${taskId}`)).body?.status === 'completed', 10_000, 'hub A sees the completion');
    const onA = await a.http('GET', `/api/tasks/${taskId}`);
    expect(onA.body.assigned_to).to.equal('worker-b');
  });

  it('lists every agent with its hub on either hub, and leaves a task held on the other hub alone in its sweep', async () => {
    await a.connectAgent('alpha');
    const beta = await b.connectAgent('beta');
    const agentsOf = async (hub: TestHub) => {
      const listed = await hub.http('GET', '/api/agents');
      const agents = (listed.body.agents ?? listed.body) as Array<{ agent_id: string; hub?: string }>;
      return agents.map((agent) => `${agent.agent_id}@${agent.hub}`).sort();
    };
    await waitFor(async () => (await agentsOf(a)).length === 2 && (await agentsOf(b)).length === 2, 10_000, 'both hubs list both agents');
    expect(await agentsOf(a)).to.deep.equal(['alpha@hub-a', 'beta@hub-b']);
    expect(await agentsOf(b)).to.deep.equal(['alpha@hub-a', 'beta@hub-b']);

    // alpha is idle on A, so a task submitted on B may go to either agent; whoever holds it, the other hub's sweep must not reclaim it.
    const submitted = await b.http('POST', '/api/tasks', { body: { description: 'held across hubs' } });
    expect(submitted.status).to.equal(201);
    const taskId = submitted.body.task_id ?? submitted.body.task?.id ?? submitted.body.id;
    await waitFor(async () => (await a.http('GET', `/api/tasks/${taskId}`)).body?.status === 'assigned', 10_000, 'assigned');
    const before = (await a.http('GET', `/api/tasks/${taskId}`)).body;
    const holder = before.assigned_to as string;
    const other = holder === 'beta' ? a : b;
    other.running.hub.sweeper.run(60_000);
    // A sweep long after start (grace over) on the hub that does not serve the holder.
    (other.running.hub as unknown as { startedAt: number }).startedAt = 0;
    other.running.hub.sweeper.run(60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = (await other.http('GET', `/api/tasks/${taskId}`)).body;
    expect(after).to.include({ status: 'assigned', assigned_to: holder, generation: before.generation });
    expect(beta.agentId).to.equal('beta');
  });

  it('stops the agent on hub B when hub A cancels the task it holds', async () => {
    const worker = await b.connectAgent('worker-b');
    const submitted = await a.http('POST', '/api/tasks', { body: { description: 'cancel me from the other hub' } });
    const taskId = submitted.body.task_id;
    const assign = await worker.ws.nextMessage('task_assign', 15_000);
    expect(assign.task_id).to.equal(taskId);
    await waitFor(async () => (await a.http('GET', `/api/tasks/${taskId}`)).body?.status === 'assigned', 10_000, 'hub A sees the assignment');
    const cancelled = await a.http('POST', `/api/tasks/${taskId}/cancel`);
    expect(cancelled.status).to.equal(200);
    const stop = await worker.ws.nextMessage('task_cancelled', 10_000);
    expect(stop).to.include({ task_id: taskId, generation: assign.generation });
  });
});
