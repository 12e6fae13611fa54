// Approval gates and agents' questions through a real in-process hub: the agent socket's
// approval_request (validated, acknowledged, deduplicated), bulk submit with the gate, the
// dashboard feed, the metrics and the approval_waiting alert.
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient, type Frame } from '../support/ws-client.ts';

const checkIntervalMs = 300;

async function dashboardFeed(hub: TestHub) {
  const ws = await WsTestClient.connect(`${hub.wsUrl}/dashboard?token=${hub.adminToken}`);
  const snapshot = await ws.nextMessage('snapshot');
  const events: Frame[] = [];
  ws.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; data?: Frame[] };
    if (frame.type === 'events') events.push(...(frame.data ?? []));
  });
  return { ws, snapshot, events };
}

describe('approvals through the hub', function () {
  this.timeout(30_000);
  let hub: TestHub;
  afterEach(async () => hub?.stop());

  it('takes requires_approval in a bulk submit, item by item, and validates it', async () => {
    hub = await startTestHub();
    const bulk = await hub.http('POST', '/api/tasks/bulk', {
      body: { tasks: [{ description: 'gated', requires_approval: true }, { description: 'plain' }, { description: 'bad', requires_approval: 'yes' }] },
    });
    expect(bulk.status).to.equal(200);
    expect(bulk.body.results.map((result: { status?: string; ok: boolean }) => result.ok && result.status)).to.deep.equal(['awaiting_approval', 'queued', false]);
    expect(bulk.body.results[2].errors[0]).to.include({ field: 'requires_approval', error: 'wrong_type' });
    const bad = await hub.http('POST', '/api/tasks', { body: { description: 'x', requires_approval: 1 } });
    expect(bad.status).to.equal(422);
    expect((await hub.http('GET', '/api/tasks?status=awaiting_approval')).body.tasks).to.have.length(1);
  });

  it('acknowledges an approval_request once durable, answers a repeated one with the same approval, refuses a non-holder', async () => {
    hub = await startTestHub();
    const agent = await hub.connectAgent('q1');
    const other = await hub.connectAgent('q2');
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'ask me' } });
    const assign = await Promise.race([agent.ws.nextMessage('task_assign', 10_000), other.ws.nextMessage('task_assign', 10_000)]);
    const [holder, stranger] = assign.task_id === submitted.body.task_id && (await hub.http('GET', `/api/tasks/${assign.task_id}`)).body.assigned_to === 'q1'
      ? [agent, other] : [other, agent];
    await holder.ws.request({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation }, 'task_ack');

    const invalid = await holder.ws.request({ type: 'approval_request', task_id: assign.task_id, question_id: 'bad id!', question: '' }, 'error');
    expect(invalid.code).to.equal('AC_ERR_VALIDATION');
    expect((invalid.errors as Array<{ field: string }>).map((error) => error.field).sort()).to.deep.equal(['question', 'question_id']);

    const ask = { type: 'approval_request', task_id: assign.task_id, generation: assign.generation, question_id: 'q-1', question: 'Which branch?', options: ['main', 'dev'] };
    const ack = await holder.ws.request(ask, 'approval_ack');
    expect(ack).to.include({ task_id: assign.task_id, question_id: 'q-1', status: 'pending' });
    const again = await holder.ws.request(ask, 'approval_ack');
    expect(again.approval_id).to.equal(ack.approval_id);
    expect((await hub.http('GET', '/api/approvals')).body.approvals).to.have.length(1);

    const refused = await stranger.ws.request({ ...ask, question_id: 'q-2' }, 'error');
    expect(refused).to.include({ code: 'AC_ERR_APPROVAL_NOT_ASKER', question_id: 'q-2' });

    const answer = holder.ws.nextMessage('approval_answer');
    expect((await hub.http('POST', `/api/approvals/${String(ack.approval_id)}`, { body: { answer: 'dev' } })).status).to.equal(200);
    expect(await answer).to.include({ approval_id: ack.approval_id, question_id: 'q-1', answer: 'dev', answered_by: 'admin:first-start' });
    // Asked again after the answer (a reconnect): the ack says answered and the answer follows.
    const answeredAgain = holder.ws.nextMessage('approval_answer');
    expect(await holder.ws.request(ask, 'approval_ack')).to.include({ status: 'answered' });
    expect((await answeredAgain).answer).to.equal('dev');
    expect((await hub.http('GET', '/api/approvals', { token: holder.token })).status).to.equal(403);
  });

  it('shows gates and questions on the dashboard feed and in metrics, and raises approval_waiting until they are decided', async () => {
    hub = await startTestHub({ alert_first_check_ms: checkIntervalMs, approval_alert_after_ms: 100 });
    expect((await hub.http('PUT', '/api/config/alert-thresholds', { body: { check_interval_ms: checkIntervalMs, cooldowns: { approval_waiting: 0 } } })).status).to.equal(200);
    const feed = await dashboardFeed(hub);
    const gated = (await hub.http('POST', '/api/tasks', { body: { description: 'gated', requires_approval: true } })).body.task_id as string;
    await waitFor(() => feed.events.some((event) => event.type === 'task_event' && event.event === 'awaiting_approval' && event.task_id === gated), 5_000, 'awaiting_approval on the feed');

    await waitFor(() => feed.events.some((event) => event.type === 'alert_fired' && event.rule_id === 'approval_waiting'), 10_000, 'approval_waiting to fire');
    const fired = feed.events.find((event) => event.type === 'alert_fired' && event.rule_id === 'approval_waiting')!;
    expect(fired.details).to.deep.include({ task_ids: [gated], tasks: 1, questions: 0 });
    const metrics = await hub.http('GET', '/metrics');
    expect(String(metrics.body)).to.match(/agentcom_approvals_pending\{kind="task"\} 1/);
    expect(String(metrics.body)).to.match(/agentcom_tasks_in_status\{status="awaiting_approval"\} 1/);

    expect((await hub.http('POST', `/api/tasks/${gated}/approve`, { body: {} })).status).to.equal(200);
    await waitFor(() => feed.events.some((event) => event.type === 'task_event' && event.event === 'approved' && event.by === 'admin:first-start'), 5_000, 'approved on the feed');
    await waitFor(() => feed.events.some((event) => event.type === 'alert_cleared' && event.rule_id === 'approval_waiting'), 10_000, 'approval_waiting to clear');

    // A question asked mid-task raises it too.
    const agent = await hub.connectAgent('asker');
    const assign = await agent.ws.nextMessage('task_assign', 10_000);
    await agent.ws.request({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation }, 'task_ack');
    const ack = await agent.ws.request({ type: 'approval_request', task_id: assign.task_id, question_id: 'q-9', question: 'OK?' }, 'approval_ack');
    await waitFor(() => feed.events.some((event) => event.type === 'approval_event' && event.event === 'asked'), 5_000, 'approval_event asked');
    const clearedBefore = feed.events.filter((event) => event.type === 'alert_cleared').length;
    await waitFor(() => feed.events.some((event) => event.type === 'alert_fired' && event.rule_id === 'approval_waiting'
      && (event.details as { questions: number }).questions === 1), 10_000, 'approval_waiting for the question');
    const snapshot = await hub.http('GET', '/api/dashboard/state');
    expect(snapshot.body.approvals.approvals.map((approval: { id: string }) => approval.id)).to.deep.equal([ack.approval_id]);
    expect((await hub.http('POST', `/api/approvals/${String(ack.approval_id)}`, { body: { answer: 'yes' } })).status).to.equal(200);
    await waitFor(() => feed.events.filter((event) => event.type === 'alert_cleared').length > clearedBefore, 10_000, 'approval_waiting to clear again');
    const answered = feed.events.find((event) => event.type === 'approval_event' && event.event === 'answered');
    expect((answered?.approval as { answer: string }).answer).to.equal('yes');
    const afterMetrics = String((await hub.http('GET', '/metrics')).body);
    expect(afterMetrics).to.match(/agentcom_approval_wait_seconds_count\{kind="task",decision="approved"\} 1/);
    expect(afterMetrics).to.match(/agentcom_approval_wait_seconds_count\{kind="question",decision="answered"\} 1/);
  });
});
