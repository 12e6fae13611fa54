import { expect } from 'chai';
import { startTestHub, type AgentClient, type TestHub } from '../support/hub-harness.ts';
import type { Frame } from '../support/ws-client.ts';

/** Accepts and completes one assignment with `result`; returns the task_assign frame. */
async function runOne(agent: AgentClient, result: unknown): Promise<Frame> {
  const assign = await agent.ws.nextMessage('task_assign');
  await agent.ws.request({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation }, 'task_ack');
  await agent.ws.request({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result }, 'task_ack');
  return assign;
}

describe('wire: workflows (dependencies and bulk submit)', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await startTestHub();
  });

  afterEach(async () => {
    await hub.stop();
  });

  it('answers a bulk submit with an id or an error per item, each idempotent as a single submit', async () => {
    const first = await hub.http('POST', '/api/tasks/bulk', {
      body: {
        tasks: [
          { description: 'one', idempotency_key: 'bulk-1' },
          { description: 42 },
          { description: 'three', depends_on: ['task-0000000000000000'] },
          { description: 'four', metadata: { blob: 'x'.repeat(70 * 1024) } },
        ],
      },
    });
    expect(first.status).to.equal(200);
    expect(first.body).to.include({ created: 1, failed: 3 });
    const [one, two, three, four] = first.body.results;
    expect(one).to.include({ index: 0, ok: true, created: true, status: 'queued' });
    expect(two).to.include({ index: 1, ok: false, code: 'AC_ERR_VALIDATION' });
    expect(two.errors[0]).to.include({ field: 'description', error: 'wrong_type' });
    expect(three).to.include({ index: 2, ok: false, code: 'AC_ERR_DEPENDENCY_NOT_FOUND' });
    expect(four.errors[0]).to.include({ field: 'metadata', error: 'too_long' });

    const again = await hub.http('POST', '/api/tasks/bulk', { body: { tasks: [{ description: 'one', idempotency_key: 'bulk-1' }] } });
    expect(again.body.results[0]).to.include({ ok: true, created: false, task_id: one.task_id });
    const single = await hub.http('POST', '/api/tasks', { body: { description: 'one', idempotency_key: 'bulk-1' } });
    expect(single.body).to.include({ task_id: one.task_id, created: false });
    const stats = await hub.http('GET', '/api/tasks/stats');
    expect(stats.body.by_status.queued).to.equal(1);
  });

  it('refuses more than 1,000 items as a whole', async () => {
    const tasks = Array.from({ length: 1001 }, (_, i) => ({ description: `t${i}` }));
    const refused = await hub.http('POST', '/api/tasks/bulk', { body: { tasks } });
    expect(refused.status).to.equal(422);
    expect(refused.body.errors[0]).to.include({ field: 'tasks', error: 'too_long' });
  });

  it('refuses a graph with a cycle among refs whole, with an error per item', async () => {
    const refused = await hub.http('POST', '/api/tasks/bulk', {
      body: {
        tasks: [
          { ref: 'plan', description: 'plan' },
          { ref: 'a', description: 'a', depends_on_refs: ['plan', 'c'] },
          { ref: 'b', description: 'b', depends_on_refs: ['a'] },
          { ref: 'c', description: 'c', depends_on_refs: ['b'] },
          { ref: 'd', description: 'd', depends_on_refs: ['nobody'] },
        ],
      },
    });
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('AC_ERR_BULK_ABORTED');
    const codes = refused.body.results.map((r: { code: string }) => r.code);
    expect(codes).to.deep.equal(['AC_ERR_BULK_ABORTED', 'AC_ERR_BULK_CYCLE', 'AC_ERR_BULK_CYCLE', 'AC_ERR_BULK_CYCLE', 'AC_ERR_BULK_REF_UNKNOWN']);
    expect(refused.body.results[1].ref).to.equal('a');
    const stats = await hub.http('GET', '/api/tasks/stats');
    expect(Object.values(stats.body.by_status as Record<string, number>).reduce((a, b) => a + b, 0)).to.equal(0);
  });

  it('runs a plan → implement → review graph in order and passes each result along', async () => {
    const agent = await hub.connectAgent('agent-1');
    const graph = await hub.http('POST', '/api/tasks/bulk', {
      body: {
        tasks: [
          { ref: 'review', description: 'review', depends_on_refs: ['implement'] },
          { ref: 'implement', description: 'implement', depends_on_refs: ['plan'] },
          { ref: 'plan', description: 'plan' },
        ],
      },
    });
    expect(graph.status).to.equal(200);
    const ids = Object.fromEntries(graph.body.results.map((r: { ref: string; task_id: string }) => [r.ref, r.task_id]));
    expect(graph.body.results.map((r: { status: string }) => r.status)).to.deep.equal(['waiting', 'waiting', 'queued']);

    const planAssign = await runOne(agent, { plan: 'three steps' });
    expect(planAssign.task_id).to.equal(ids.plan);
    expect(planAssign.dependencies).to.equal(undefined);
    const implementAssign = await runOne(agent, { pr_url: 'https://example.com/pr/1' });
    expect(implementAssign.task_id).to.equal(ids.implement);
    expect(implementAssign.dependencies).to.deep.equal([{ task_id: ids.plan, status: 'completed', result: { plan: 'three steps' } }]);
    const reviewAssign = await runOne(agent, { approved: true });
    expect(reviewAssign.dependencies).to.deep.equal([{ task_id: ids.implement, status: 'completed', result: { pr_url: 'https://example.com/pr/1' } }]);

    const plan = await hub.http('GET', `/api/tasks/${ids.plan}`);
    expect(plan.body.dependents).to.deep.equal([{ task_id: ids.implement, status: 'completed' }]);
    const review = await hub.http('GET', `/api/tasks/${ids.review}`);
    expect(review.body.dependencies).to.deep.equal([{ task_id: ids.implement, status: 'completed' }]);
  });

  it('passes a result too large to inline by reference', async () => {
    const agent = await hub.connectAgent('agent-1');
    const big = await hub.http('POST', '/api/tasks', { body: { description: 'big' } });
    const after = await hub.http('POST', '/api/tasks', { body: { description: 'after', depends_on: [big.body.task_id] } });
    expect(after.body.status).to.equal('waiting');
    await runOne(agent, { log: 'x'.repeat(20 * 1024) });
    const assign = await agent.ws.nextMessage('task_assign');
    expect((assign.dependencies as Array<Record<string, unknown>>)[0]).to.include({ task_id: big.body.task_id, status: 'completed', result: null, result_ref: `/api/tasks/${big.body.task_id}` });
  });

  it('lists the tasks waiting on a task, and cancels them with cascade=true', async () => {
    const root = await hub.http('POST', '/api/tasks', { body: { description: 'root', delay_ms: 60_000 } });
    const child = await hub.http('POST', '/api/tasks', { body: { description: 'child', depends_on: [root.body.task_id] } });
    const grandchild = await hub.http('POST', '/api/tasks', { body: { description: 'grandchild', depends_on: [child.body.task_id] } });
    const waiting = await hub.http('GET', `/api/tasks?waiting_on=${root.body.task_id}`);
    expect(waiting.body.tasks.map((t: { id: string }) => t.id)).to.deep.equal([child.body.task_id]);
    const detail = await hub.http('GET', `/api/tasks/${child.body.task_id}`);
    expect(detail.body).to.include({ status: 'waiting', waiting_for: 1 });

    const cancelled = await hub.http('POST', `/api/tasks/${root.body.task_id}/cancel?cascade=true`);
    expect(cancelled.status).to.equal(200);
    for (const id of [child.body.task_id, grandchild.body.task_id]) {
      expect((await hub.http('GET', `/api/tasks/${id}`)).body.status).to.equal('cancelled');
    }
  });
});
