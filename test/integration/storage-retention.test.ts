// Retention on a running hub: a completed task past `retention_completed` is swept by
// the safety-net pass and counted in the stats; queued work is never touched.
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';

describe('storage: retention on a running hub', () => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await startTestHub({ retention_completed: '50ms', retention_dead_letter: '1h', sweep_interval_ms: 50 });
  });
  afterEach(() => hub.stop());

  it('sweeps a completed task past its retention and counts it, keeping queued ones', async () => {
    const agent = await hub.connectAgent('retention-agent', { capabilities: ['done-soon'] });
    const done = await hub.http('POST', '/api/tasks', { body: { description: 'finish me', needed_capabilities: ['done-soon'] } });
    const waiting = await hub.http('POST', '/api/tasks', { body: { description: 'nobody can do me', needed_capabilities: ['nobody'] } });
    const assign = await agent.ws.nextMessage('task_assign');
    await agent.ws.request({ type: 'task_accepted', task_id: assign.task_id }, 'task_ack');
    await agent.ws.request({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: {} }, 'task_ack');

    // The count follows the commit by a turn of the event loop: wait for the count, then look.
    await waitFor(async () => (await hub.http('GET', '/api/tasks/stats')).body.retention.removed.completed === 1, 10_000, 'completed task swept');
    expect((await hub.http('GET', `/api/tasks/${done.body.task_id}`)).status).to.equal(404);
    const stats = await hub.http('GET', '/api/tasks/stats');
    expect(stats.body.retention.removed).to.deep.equal({ completed: 1, cancelled: 0, dead_letter: 0 });
    expect(stats.body.retention.last_sweep_at).to.be.a('number');
    expect(stats.body.by_status).to.include({ completed: 0, queued: 1 });
    expect((await hub.http('GET', `/api/tasks/${waiting.body.task_id}`)).status).to.equal(200);
  });
});
