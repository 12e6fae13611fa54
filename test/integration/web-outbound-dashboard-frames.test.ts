import { Ajv } from 'ajv';
import { expect } from 'chai';
import { watchOutboundFrames } from '../../web/frame-serializer.ts';
import { dashboardEventSchemasByType, dashboardOutboundSchemas } from '../../web/protocol/index.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient, type Frame } from '../support/ws-client.ts';

/** Events this test does not provoke, each with where its shape is made; a new event type must be provoked or listed here. */
const notProvoked = [
  'alert_cleared', 'alert_acknowledged', // the alerter's cooldowns and an operator's ack: test/integration/observability-alerts.test.ts
  'rate_limited', // needs rate limits on and a flood: test/integration/web-rate-limits.test.ts
  'budget_exhausted', // a daily budget spent: test/integration/fleet-control*.test.ts
  'backup_failed', 'compaction_failed', 'recovery_complete', 'recovery_failed', 'records_quarantined', // storage faults: test/integration/storage-*.test.ts
  'agent_removed', // DELETE /api/agents/:id or another hub's agent gone
];

describe('wire: outbound dashboard frames', () => {
  let hub: TestHub;
  let unwatch = () => {};
  afterEach(async () => {
    unwatch();
    await hub?.stop();
  });

  it('sends the snapshot, the events and the replies, each matching its schema', async () => {
    const problems: string[] = [];
    unwatch = watchOutboundFrames((channel, frame, problem) => {
      if (problem && channel !== 'agent') problems.push(`${channel} ${JSON.stringify(frame).slice(0, 300)}: ${problem}`);
    });
    hub = await startTestHub({ breaker_failures: 1 });
    const dashboard = await WsTestClient.connect(`${hub.wsUrl}/dashboard?token=${hub.adminToken}`);
    const received: Frame[] = [];
    dashboard.socket.on('message', (data) => received.push(JSON.parse(data.toString()) as Frame));
    await dashboard.nextMessage('snapshot');
    const events = () => received.filter((frame) => frame.type === 'events').flatMap((frame) => frame.data as Frame[]);
    const eventSeen = (type: string, event?: string) => events().some((e) => e.type === type && (event === undefined || e.event === event));

    const agent = await hub.connectAgent('worker');
    const submit = async (body: Record<string, unknown>) => (await hub.http('POST', '/api/tasks', { body })).body.task_id as string;
    const report = (message: Record<string, unknown>) => agent.ws.request(message, 'task_ack');

    // A task with paths, an extra lease over the socket, a question answered, then completed.
    await submit({ description: 'leases and asks', paths: ['src/**'] });
    let assign = await agent.ws.nextMessage('task_assign');
    await report({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation });
    const lease = await agent.ws.request({ type: 'lease_acquire', task_id: assign.task_id, paths: ['docs/**'] }, 'lease_result');
    await agent.ws.request({ type: 'lease_release', lease_id: (lease.lease as { lease_id: string }).lease_id }, 'lease_result');
    const asked = await agent.ws.request({ type: 'approval_request', task_id: assign.task_id, generation: assign.generation, question_id: 'q', question: 'Go?' }, 'approval_ack');
    await hub.http('POST', `/api/approvals/${String(asked.approval_id)}`, { body: { answer: 'go' } });
    await report({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: { ok: true } });

    // A gated task approved; one failure trips the breaker (breaker_failures 1), which fires an alert.
    const gated = await submit({ description: 'gated', requires_approval: true });
    await hub.http('POST', `/api/tasks/${gated}/approve`, { body: {} });
    assign = await agent.ws.nextMessage('task_assign');
    await report({ type: 'task_failed', task_id: assign.task_id, generation: assign.generation, error: 'red' });
    await hub.http('POST', '/api/agents/worker/unblock', { body: {} });

    // Storage news, and a metrics interval closed now rather than in 10 s.
    expect((await hub.http('POST', '/api/admin/backup')).status).to.be.oneOf([200, 201]);
    // The snapshots after it read every store on the new file (the approvals' handles once kept the old, closed one).
    expect((await hub.http('POST', '/api/admin/compact')).status).to.be.oneOf([200, 201]);
    hub.running.hub.dashboard.sampleMetrics();
    await agent.ws.close();

    // The replies: a retry of a task that is no dead letter, an unknown alert, a frame that fails validation, a fresh snapshot.
    const queued = await submit({ description: 'queued, no agent left' });
    const retried = await dashboard.request({ type: 'retry_task', task_id: queued }, 'retry_result');
    expect(retried.status).to.equal('not_found');
    await dashboard.request({ type: 'acknowledge_alert', rule_id: 'no_such_rule' }, 'alert_ack_result');
    await dashboard.request({ type: 'retry_task' }, 'error');
    await dashboard.request({ type: 'request_snapshot' }, 'snapshot');

    const expected = Object.keys(dashboardEventSchemasByType).filter((type) => !notProvoked.includes(type));
    await waitFor(() => expected.every((type) => eventSeen(type)), 10_000, `events of every type; seen ${[...new Set(events().map((e) => e.type))].join(', ')}`);

    expect(problems).to.deep.equal([]);
    const ajv = new Ajv({ strict: false });
    for (const frame of received) {
      const schema = dashboardOutboundSchemas[frame.type];
      expect(schema, `a dashboard frame of a type with no schema: ${frame.type}`).to.not.equal(undefined);
      const validate = ajv.compile(schema!);
      expect(validate(frame), `${frame.type}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
    for (const event of events()) {
      const schema = dashboardEventSchemasByType[event.type];
      expect(schema, `an event of a type with no schema: ${event.type}`).to.not.equal(undefined);
      // The compiled serializer sends only what the schema declares.
      expect(Object.keys(event).filter((key) => !(key in schema!.properties)), event.type).to.deep.equal([]);
    }
    expect(new Set(received.map((frame) => frame.type))).to.deep.equal(new Set(Object.keys(dashboardOutboundSchemas)));
  });
});
