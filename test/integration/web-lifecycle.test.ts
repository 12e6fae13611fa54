import { expect } from 'chai';
import { startTestHub, type AgentClient, type TestHub } from '../support/hub-harness.ts';
import type { Frame } from '../support/ws-client.ts';

/** Answers every task_assign: accept, optionally hold, complete with the given generation. */
function runAgent(agent: AgentClient, options: { holdMs?: number; onAssign?: (frame: Frame) => void } = {}) {
  const done: string[] = [];
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const assign = await agent.ws.nextMessage('task_assign', 30_000).catch(() => null);
      if (!assign || stopped) return;
      options.onAssign?.(assign);
      await agent.ws.request({ type: 'task_accepted', task_id: assign.task_id }, 'task_ack');
      if (options.holdMs) await new Promise((resolve) => setTimeout(resolve, options.holdMs));
      const ack = await agent.ws.request(
        { type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: { by: agent.agentId } },
        'task_ack',
      );
      expect(ack.status).to.equal('complete');
      done.push(assign.task_id as string);
    }
  };
  void loop();
  return { done, stop: () => { stopped = true; } };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('wire: task lifecycle', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await startTestHub();
  });

  afterEach(async () => {
    await hub.stop();
  });

  it('refuses metadata over 64 KiB as JSON with a field error and queues nothing', async () => {
    const before = await hub.http('GET', '/api/tasks/stats');
    const refused = await hub.http('POST', '/api/tasks', {
      body: { description: 'too much metadata', metadata: { blob: 'x'.repeat(64 * 1024) } },
    });
    expect(refused.status).to.equal(422);
    expect(refused.body.error).to.equal('validation_failed');
    expect(refused.body.errors[0]).to.include({ field: 'metadata', error: 'too_long' });
    const after = await hub.http('GET', '/api/tasks/stats');
    expect(after.body.by_status).to.deep.equal(before.body.by_status);
    const fits = await hub.http('POST', '/api/tasks', { body: { description: 'enough metadata', metadata: { blob: 'x'.repeat(60 * 1024) } } });
    expect(fits.status).to.equal(201);
  });

  it('runs submit → assign → accept → progress → complete and shows it completed over HTTP', async () => {
    const agent = await hub.connectAgent('agent-1', { capabilities: ['ts'] });
    const submitted = await hub.http('POST', '/api/tasks', {
      token: agent.token,
      body: { description: 'write the notes', priority: 'high', metadata: { ticket: 7 }, needed_capabilities: ['ts'] },
    });
    expect(submitted.status).to.equal(201);
    // An idle agent fits, so the task is written already assigned in the submit's own write.
    expect(submitted.body).to.include({ status: 'assigned', priority: 1 });
    expect(submitted.body.task_id).to.match(/^task-[0-9a-f]{16}$/);
    expect(submitted.body.created_at).to.be.a('number');

    const assign = await agent.ws.nextMessage('task_assign');
    expect(assign).to.include({ task_id: submitted.body.task_id, description: 'write the notes', generation: 1 });
    expect(assign.metadata).to.deep.equal({ ticket: 7 });
    expect(assign.assigned_at).to.be.a('number');

    const accepted = await agent.ws.request({ type: 'task_accepted', task_id: assign.task_id, protocol_version: 1 }, 'task_ack');
    expect(accepted).to.deep.include({ task_id: assign.task_id, status: 'accepted' });
    agent.ws.send({ type: 'task_progress', task_id: assign.task_id, progress: 50 });

    const state = await hub.http('GET', '/api/agents/agent-1/state', { token: agent.token });
    expect(state.body).to.include({ fsm_state: 'working', current_task_id: assign.task_id });

    const completed = await agent.ws.request(
      { type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: { output: 'done', tokens_used: 42 } },
      'task_ack',
    );
    expect(completed).to.deep.include({ task_id: assign.task_id, status: 'complete' });

    const shown = await hub.http('GET', `/api/tasks/${String(assign.task_id)}`, { token: agent.token });
    expect(shown.status).to.equal(200);
    expect(shown.body).to.include({ status: 'completed', assigned_to: 'agent-1', tokens_used: 42 });
    expect(shown.body.result).to.deep.equal({ output: 'done', tokens_used: 42 });
    const listed = await hub.http('GET', '/api/tasks?status=completed', { token: agent.token });
    expect(listed.body.tasks.map((t: { id: string }) => t.id)).to.deep.equal([assign.task_id]);
  });

  it('TEST-01: two agents finish ten tasks', async () => {
    const agents = [await hub.connectAgent('smoke-1'), await hub.connectAgent('smoke-2')];
    const submittedAt = new Map<string, number>();
    const latencies: Array<{ task: string; agent: string; ms: number }> = [];
    const runners = agents.map((agent) => runAgent(agent, {
      onAssign: (frame) => latencies.push({
        task: frame.task_id as string, agent: agent.agentId, ms: Date.now() - (submittedAt.get(frame.task_id as string) ?? Date.now()),
      }),
    }));
    for (let i = 0; i < 10; i++) {
      const before = Date.now();
      const submitted = await hub.http('POST', '/api/tasks', { body: { description: `smoke ${i}` } });
      submittedAt.set(submitted.body.task_id, before);
    }
    await waitFor(async () => (await hub.http('GET', '/api/tasks?status=completed')).body.count === 10);
    // The HTTP answer can overtake the last task_ack on its way to the agent.
    await waitFor(async () => runners[0]!.done.length + runners[1]!.done.length === 10);
    for (const { task, agent, ms } of latencies) console.log(`      TEST-01 ${task} → ${agent}: assigned ${ms} ms after submit`);
    expect(latencies).to.have.length(10);
    // The API sees a completion once committed; the agent's task_ack waits for the sync, so it can come a moment later.
    await waitFor(async () => runners[0]!.done.length + runners[1]!.done.length === 10);
    expect(runners[0]!.done.length + runners[1]!.done.length).to.equal(10);
    for (const runner of runners) runner.stop();
  });

  it('TEST-03: four agents share twenty tasks about evenly', async () => {
    const agents = await Promise.all(['fair-1', 'fair-2', 'fair-3', 'fair-4'].map((id) => hub.connectAgent(id)));
    const runners = agents.map((agent) => runAgent(agent, { holdMs: 40 }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => hub.http('POST', '/api/tasks', { body: { description: `fair ${i}` } })));
    await waitFor(async () => (await hub.http('GET', '/api/tasks?status=completed')).body.count === 20, 15_000);
    // Each runner has its last task_ack too (frames leave at the end of the hub's turn, an HTTP reply may come first).
    await waitFor(async () => runners.reduce((sum, runner) => sum + runner.done.length, 0) === 20, 5_000);
    const counts = runners.map((runner) => runner.done.length);
    console.log(`      TEST-03 tasks per agent: ${counts.join(', ')}`);
    for (const count of counts) expect(count).to.be.within(3, 7);
    for (const runner of runners) runner.stop();
  });

  it('reclaims the task of a dropped agent, lets the other finish it once, and fences the late report', async () => {
    const first = await hub.connectAgent('drop-1');
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'survive a crash' } });
    const taskId = submitted.body.task_id as string;
    const assign = await first.ws.nextMessage('task_assign');
    await first.ws.request({ type: 'task_accepted', task_id: taskId }, 'task_ack');

    const second = await hub.connectAgent('drop-2');
    await first.ws.terminate();
    const reassigned = await second.ws.nextMessage('task_assign');
    expect(reassigned.task_id).to.equal(taskId);
    expect(reassigned.generation as number).to.be.greaterThan(assign.generation as number);
    await second.ws.request({ type: 'task_accepted', task_id: taskId }, 'task_ack');

    // The first agent comes back and reports with the generation it was given.
    const back = await hub.connectAgent('drop-1', { token: first.token });
    const recovering = await back.ws.request({ type: 'task_recovering', task_id: taskId }, 'task_reassign');
    expect(recovering.task_id).to.equal(taskId);
    const late = await back.ws.request(
      { type: 'task_complete', task_id: taskId, generation: assign.generation, result: { by: 'drop-1' } },
      'error',
    );
    expect(late.error).to.equal('task_complete_failed: stale_generation');
    const lateFail = await back.ws.request({ type: 'task_failed', task_id: taskId, generation: assign.generation, error: 'x' }, 'error');
    expect(lateFail.error).to.equal('task_fail_failed: stale_generation');

    const finished = await second.ws.request(
      { type: 'task_complete', task_id: taskId, generation: reassigned.generation, result: { by: 'drop-2' } },
      'task_ack',
    );
    expect(finished.status).to.equal('complete');
    const again = await second.ws.request(
      { type: 'task_complete', task_id: taskId, generation: reassigned.generation, result: { by: 'drop-2' } },
      'error',
    );
    expect(again.error).to.equal('task_complete_failed: invalid_state');

    const task = (await hub.http('GET', `/api/tasks/${taskId}`)).body;
    expect(task).to.include({ status: 'completed', assigned_to: 'drop-2' });
    expect(task.result).to.deep.equal({ by: 'drop-2' });
    expect(task.history.filter((entry: { event: string }) => entry.event === 'completed')).to.have.length(1);
  });

  it('reclaims a rejected assignment at once and gives it to another agent', async () => {
    const busy = await hub.connectAgent('busy-1');
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'hot potato' } });
    const assign = await busy.ws.nextMessage('task_assign');
    const free = await hub.connectAgent('free-1');
    const rejected = await busy.ws.request({ type: 'task_rejected', task_id: assign.task_id, reason: 'busy' }, 'task_ack');
    expect(rejected.status).to.equal('rejected');
    const reassigned = await free.ws.nextMessage('task_assign');
    expect(reassigned.task_id).to.equal(submitted.body.task_id);
  });

  it('answers a failure with retried, then dead_letter, and retries the dead letter over HTTP', async () => {
    const agent = await hub.connectAgent('fail-1');
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'flaky', max_retries: 1, retry_backoff_ms: 0 } });
    const taskId = submitted.body.task_id as string;
    const first = await agent.ws.nextMessage('task_assign');
    const retried = await agent.ws.request({ type: 'task_failed', task_id: taskId, generation: first.generation, reason: 'oops' }, 'task_ack');
    expect(retried.status).to.equal('retried');
    const second = await agent.ws.nextMessage('task_assign');
    const dead = await agent.ws.request({ type: 'task_failed', task_id: taskId, generation: second.generation }, 'task_ack');
    expect(dead.status).to.equal('dead_letter');

    const letters = await hub.http('GET', '/api/tasks/dead-letter', { token: agent.token });
    expect(letters.body.tasks.map((t: { id: string }) => t.id)).to.deep.equal([taskId]);
    expect(letters.body.tasks[0].last_error).to.equal('unknown');
    const again = await hub.http('POST', `/api/tasks/${taskId}/retry`, { token: agent.token });
    expect(again.body).to.deep.include({ status: 'requeued', task_id: taskId, priority: 2 });
    await agent.ws.nextMessage('task_assign');
  });

  it('answers task_recovering with task_continue for the agent that holds the task', async () => {
    const agent = await hub.connectAgent('rec-1');
    await hub.http('POST', '/api/tasks', { body: { description: 'long job' } });
    const assign = await agent.ws.nextMessage('task_assign');
    const answer = await agent.ws.request({ type: 'task_recovering', task_id: assign.task_id, last_status: 'working' }, 'task_continue');
    expect(answer).to.deep.include({ task_id: assign.task_id, generation: assign.generation });
    const unknown = await agent.ws.request({ type: 'task_recovering', task_id: 'task-0000000000000000' }, 'task_reassign');
    expect(unknown.task_id).to.equal('task-0000000000000000');
  });

  it('cancels a task, lists with filters and pages, and reports stats', async () => {
    const ids: string[] = [];
    for (const priority of ['low', 'urgent', 'normal', 'critical']) {
      ids.push((await hub.http('POST', '/api/tasks', { body: { description: priority, priority } })).body.task_id);
    }
    const urgent = await hub.http('GET', '/api/tasks?priority=urgent');
    expect(urgent.body.tasks.map((t: { description: string }) => t.description).sort()).to.deep.equal(['critical', 'urgent']);
    const byInt = await hub.http('GET', '/api/tasks?priority=3');
    expect(byInt.body.count).to.equal(1);

    const page1 = await hub.http('GET', '/api/tasks?limit=2');
    expect(page1.body.tasks).to.have.length(2);
    expect(page1.body.next_cursor).to.be.a('number');
    const page2 = await hub.http('GET', `/api/tasks?limit=2&cursor=${String(page1.body.next_cursor)}`);
    const seen = [...page1.body.tasks, ...page2.body.tasks].map((t: { id: string }) => t.id);
    expect(new Set(seen).size).to.equal(4);

    const cancelled = await hub.http('POST', `/api/tasks/${ids[0]!}/cancel`);
    expect(cancelled.body).to.deep.equal({ status: 'cancelled', task_id: ids[0] });
    const stats = await hub.http('GET', '/api/tasks/stats');
    expect(stats.body.by_status).to.include({ queued: 3, cancelled: 1 });
    expect(stats.body).to.have.property('dead_letter');
    const missing = await hub.http('GET', '/api/tasks/task-ffffffffffffffff');
    expect(missing.status).to.equal(404);
    expect(missing.body).to.include({ error: 'task_not_found', task_id: 'task-ffffffffffffffff', code: 'AC_ERR_TASK_NOT_FOUND' });
  });

  it('returns the same task for a repeated idempotency key', async () => {
    const body = { description: 'once only', idempotency_key: 'deploy-42' };
    const first = await hub.http('POST', '/api/tasks', { body });
    const second = await hub.http('POST', '/api/tasks', { body });
    expect(first.status).to.equal(201);
    expect(second.status).to.equal(200);
    expect(second.body).to.include({ task_id: first.body.task_id, created: false });
  });

  it('pushes a task straight to a connected agent and 404s for an absent one', async () => {
    const agent = await hub.connectAgent('push-1');
    const pushed = await hub.http('POST', '/api/admin/push-task', { body: { agent_id: 'push-1', description: 'now', metadata: { a: 1 } } });
    expect(pushed.body).to.include({ status: 'pushed', agent_id: 'push-1' });
    const assign = await agent.ws.nextMessage('task_assign');
    expect(assign.task_id).to.equal(pushed.body.task_id);
    const absent = await hub.http('POST', '/api/admin/push-task', { body: { agent_id: 'ghost', description: 'now' } });
    expect(absent.status).to.equal(404);
    expect(absent.body.error).to.equal('agent_not_connected');
  });

  it('serves agents, states, health, default repo, log level, schemas and onboarding in the reference shapes', async () => {
    const agent = await hub.connectAgent('shape-1', { capabilities: ['go'] });
    const health = await hub.http('GET', '/health', { token: null });
    expect(health.body).to.include({ status: 'ok', service: 'agent_com', agents_connected: 1 });
    const agents = await hub.http('GET', '/api/agents', { token: null });
    expect(agents.body.agents).to.deep.equal([{
      agent_id: 'shape-1', name: 'shape-1', status: 'connected', capabilities: ['go'],
      connected_at: agents.body.agents[0].connected_at, fsm_state: 'idle',
    }]);
    const states = await hub.http('GET', '/api/agents/states', { token: agent.token });
    expect(states.body.agents[0]).to.have.keys('agent_id', 'fsm_state', 'current_task_id', 'capabilities', 'flags', 'connected_at', 'name');
    const missing = await hub.http('GET', '/api/agents/nobody/state', { token: agent.token });
    expect(missing.status).to.equal(404);
    expect(missing.body.error).to.equal('agent_not_found');

    expect((await hub.http('GET', '/api/config/default-repo', { token: null })).body).to.deep.equal({ default_repo: null, url: null, configured: false });
    const put = await hub.http('PUT', '/api/config/default-repo', { body: { url: 'git@example.com:r.git' } });
    expect(put.body).to.deep.equal({ status: 'ok', default_repo: 'git@example.com:r.git' });
    expect((await hub.http('GET', '/api/config/default-repo', { token: null })).body).to.deep.include({ url: 'git@example.com:r.git', configured: true });

    const registered = await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'newcomer' }, token: null });
    expect(registered.status).to.equal(201);
    expect(registered.body).to.include({
      agent_id: 'newcomer', hub_ws_url: `ws://127.0.0.1:${hub.port}/ws`, hub_api_url: `http://127.0.0.1:${hub.port}`,
      default_repo: 'git@example.com:r.git',
    });
    expect(registered.body.token).to.match(/^[0-9a-f]{64}$/);
    const twice = await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'newcomer' }, token: null });
    expect(twice.status).to.equal(409);
    expect(twice.body.error).to.equal('agent_id already registered');

    expect((await hub.http('PUT', '/api/admin/log-level', { body: { level: 'debug' } })).body).to.deep.equal({ status: 'ok', level: 'debug' });
    const badLevel = await hub.http('PUT', '/api/admin/log-level', { body: { level: 'loud' } });
    expect(badLevel.status).to.equal(422);
    expect(badLevel.body.error).to.equal('invalid_level');

    const schemas = await hub.http('GET', '/api/schemas', { token: null });
    expect(schemas.body.version).to.equal('1.0');
    expect(schemas.body.schemas.websocket).to.have.property('task_complete');
    expect(schemas.body.schemas.http).to.have.property('task_submit');

    const list = await agent.ws.request({ type: 'list_agents' }, 'agents');
    expect(list.agents).to.deep.equal([{ agent_id: 'shape-1', name: 'shape-1', status: 'connected', capabilities: ['go'], connected_at: agents.body.agents[0].connected_at }]);
    const status = await agent.ws.request({ type: 'status', status: 'reviewing' }, 'status_updated');
    expect(status.status).to.equal('reviewing');
    const pong = await agent.ws.request({ type: 'ping' }, 'pong');
    expect(pong.timestamp).to.be.a('number');
  });
});
