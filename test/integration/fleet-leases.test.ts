// Path leases and re-prioritising through a real hub: HTTP submit with paths, agents on
// real sockets, lease_acquire/lease_release frames, PATCH /api/tasks/:id.
import { expect } from 'chai';
import { startTestHub, type AgentClient, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';

describe('fleet control: path leases and re-prioritising (real hub)', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await startTestHub();
  });

  afterEach(async () => {
    await hub.stop();
  });

  async function submit(body: Record<string, unknown>): Promise<string> {
    const created = await hub.http('POST', '/api/tasks', { body: { description: 'edit', ...body } });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body.task_id as string;
  }

  async function take(agent: AgentClient): Promise<{ task_id: string; generation: number; paths?: string[] }> {
    const assign = await agent.ws.nextMessage('task_assign');
    await agent.ws.request({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation }, 'task_ack');
    return assign as never;
  }

  it('refuses paths that are absolute or climb out, with field errors, and creates nothing', async () => {
    const refused = await hub.http('POST', '/api/tasks', { body: { description: 'x', paths: ['src/**', '../etc/passwd'] } });
    expect(refused.status).to.equal(422);
    expect(refused.body.errors[0]).to.include({ field: 'paths[1]' });
    const tooMany = await hub.http('POST', '/api/tasks', { body: { description: 'x', paths: Array.from({ length: 101 }, (_, i) => `f${i}`) } });
    expect(tooMany.status).to.equal(422);
    expect((await hub.http('GET', '/api/tasks')).body.count).to.equal(0);
  });

  it('holds back an overlapping task, says what it waits for, runs the tasks behind it, and releases it on completion', async () => {
    const first = await submit({ paths: ['src/**'] });
    const blocked = await submit({ paths: ['src/app.ts'] });
    const behind = await submit({ paths: ['docs/**'] });
    const one = await hub.connectAgent('one');
    const assigned = await take(one);
    expect(assigned).to.include({ task_id: first });
    expect(assigned.paths).to.deep.equal(['src/**']);
    const two = await hub.connectAgent('two');
    expect((await take(two)).task_id).to.equal(behind);

    const detail = await hub.http('GET', `/api/tasks/${blocked}`);
    expect(detail.body.status).to.equal('queued');
    expect(detail.body.waiting_for_lease).to.include({ task_id: first, lease_id: `task:${first}`, agent_id: 'one' });
    expect((await hub.http('GET', `/api/tasks/${first}`)).body.leases).to.have.length(1);

    await one.ws.request({ type: 'task_complete', task_id: first, generation: assigned.generation, result: {} }, 'task_ack');
    // The freed task goes to the agent that just finished (the only idle one).
    expect((await take(one)).task_id).to.equal(blocked);
    expect((await hub.http('GET', `/api/tasks/${first}`)).body.leases).to.deep.equal([]);
  });

  it('an admin push is checked against the leases: refused while another task holds its paths, and holds its own lease', async () => {
    const running = await submit({ paths: ['src/**'], metadata: { repo: 'git@x:app.git' } });
    const one = await hub.connectAgent('one');
    expect((await take(one)).task_id).to.equal(running);
    const two = await hub.connectAgent('two');
    const refused = await hub.http('POST', '/api/admin/push-task', { body: { agent_id: 'two', description: 'hotfix', paths: ['src/app.ts'], metadata: { repo: 'git@x:app/' } } });
    expect(refused.status).to.equal(409);
    expect(refused.body).to.include({ code: 'AC_ERR_LEASE_HELD' });
    expect(refused.body.detail ?? refused.body.message ?? JSON.stringify(refused.body)).to.include(running);
    expect((await hub.http('GET', '/api/tasks')).body.count, 'nothing created').to.equal(1);
    const bad = await hub.http('POST', '/api/admin/push-task', { body: { agent_id: 'two', description: 'x', paths: ['/etc/passwd'] } });
    expect(bad.status).to.equal(422);
    expect(bad.body.errors[0]).to.include({ field: 'paths[0]' });

    const pushed = await hub.http('POST', '/api/admin/push-task', { body: { agent_id: 'two', description: 'docs', paths: ['docs/**'] } });
    expect(pushed.body).to.include({ status: 'pushed', agent_id: 'two' });
    const assign = await two.ws.nextMessage('task_assign');
    expect(assign).to.deep.include({ task_id: pushed.body.task_id, paths: ['docs/**'] });
    // The pushed task's lease holds back a queued task that overlaps it, from an idle agent.
    const behind = await submit({ paths: ['docs/guide.md'] });
    await hub.connectAgent('three');
    await waitFor(async () => Boolean((await hub.http('GET', `/api/tasks/${behind}`)).body.waiting_for_lease));
    const waiting = (await hub.http('GET', `/api/tasks/${behind}`)).body;
    expect(waiting.status).to.equal('queued');
    expect(waiting.waiting_for_lease).to.include({ task_id: pushed.body.task_id, agent_id: 'two' });
  });

  it('grants, denies (naming the holder) and releases extra leases over the socket', async () => {
    await submit({ paths: ['src/**'] });
    await submit({ paths: ['docs/**'] });
    const one = await hub.connectAgent('one');
    const two = await hub.connectAgent('two');
    const a = await take(one);
    const b = await take(two);
    const denied = await two.ws.request({ type: 'lease_acquire', task_id: b.task_id, generation: b.generation, paths: ['src/lib/x.ts'], request_id: 'r1' }, 'lease_result');
    expect(denied).to.deep.include({ result: 'denied', request_id: 'r1' });
    expect(denied.holder).to.include({ task_id: a.task_id, agent_id: 'one' });
    const granted = await two.ws.request({ type: 'lease_acquire', task_id: b.task_id, paths: ['tools/**'] }, 'lease_result');
    expect(granted.result).to.equal('granted');
    const lease = granted.lease as { lease_id: string; paths: string[] };
    expect(lease.paths).to.deep.equal(['tools/**']);
    const notYours = await one.ws.request({ type: 'lease_release', lease_id: lease.lease_id }, 'lease_result');
    expect(notYours).to.include({ result: 'error', code: 'AC_ERR_LEASE_NOT_FOUND' });
    const stale = await one.ws.request({ type: 'lease_acquire', task_id: a.task_id, generation: a.generation + 5, paths: ['x/**'] }, 'lease_result');
    expect(stale).to.include({ result: 'error', code: 'AC_ERR_STALE_GENERATION' });
    const released = await two.ws.request({ type: 'lease_release', lease_id: lease.lease_id, request_id: 'r9' }, 'lease_result');
    expect(released).to.deep.include({ result: 'released', request_id: 'r9' });
    const invalid = await two.ws.request({ type: 'lease_acquire', task_id: b.task_id, paths: ['/abs'] }, 'error');
    expect(invalid.errors).to.deep.include({ field: 'paths[0]', error: 'wrong_type', detail: (invalid.errors as Array<{ detail: string }>)[0]!.detail });
  });

  it('re-prioritises a queued task so it runs first; refuses assigned and unknown tasks and bad bodies', async () => {
    const early = await submit({ priority: 'normal' });
    const late = await submit({ priority: 'low' });
    const moved = await hub.http('PATCH', `/api/tasks/${late}`, { body: { priority: 'urgent' } });
    expect(moved.status).to.equal(200);
    expect(moved.body).to.include({ task_id: late, priority: 0, previous_priority: 3, changed: true, status: 'queued' });
    const history = (await hub.http('GET', `/api/tasks/${late}`)).body.history;
    expect(history[0]).to.deep.include({ event: 'reprioritised', details: { from: 3, to: 0 } });
    const one = await hub.connectAgent('one');
    const first = await take(one);
    expect(first.task_id).to.equal(late);
    const assigned = await hub.http('PATCH', `/api/tasks/${late}`, { body: { priority: 1 } });
    expect(assigned.status).to.equal(409);
    expect(assigned.body.code).to.equal('AC_ERR_INVALID_STATE');
    expect((await hub.http('PATCH', '/api/tasks/task-missing', { body: { priority: 1 } })).status).to.equal(404);
    const bad = await hub.http('PATCH', `/api/tasks/${early}`, { body: { priority: 'whenever' } });
    expect(bad.status).to.equal(422);
    expect(bad.body.errors[0].field).to.equal('priority');
    expect((await hub.http('GET', `/api/tasks/${early}`)).body.priority).to.equal(2);
    const agentToken = one.token;
    expect((await hub.http('PATCH', `/api/tasks/${early}`, { body: { priority: 0 }, token: agentToken })).status).to.equal(403);
  });

  it('releases the lease when the task is cancelled, reclaimed or fails, and the waiting task runs', async () => {
    const holder = await submit({ paths: ['lib/**'], max_retries: 0 });
    const waiter = await submit({ paths: ['lib/a.ts'] });
    const one = await hub.connectAgent('one');
    const two = await hub.connectAgent('two');
    const taken = await take(one);
    expect(taken.task_id).to.equal(holder);
    await one.ws.request({ type: 'task_failed', task_id: holder, generation: taken.generation, error: 'boom' }, 'task_ack');
    const next = await Promise.race([take(one), take(two)]);
    expect(next.task_id).to.equal(waiter);
    await waitFor(async () => (await hub.http('GET', `/api/tasks/${waiter}`)).body.leases.length === 1);
    const third = await submit({ paths: ['lib/**'] });
    expect((await hub.http('GET', `/api/tasks/${third}`)).body.waiting_for_lease?.task_id).to.equal(waiter);
    expect((await hub.http('POST', `/api/tasks/${waiter}/cancel`)).status).to.equal(200);
    await waitFor(async () => (await hub.http('GET', `/api/tasks/${third}`)).body.status === 'assigned');
  });
});
