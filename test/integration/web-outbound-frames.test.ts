import { Ajv } from 'ajv';
import { expect } from 'chai';
import { watchOutboundFrames } from '../../web/frame-serializer.ts';
import { wsOutboundSchemas } from '../../web/protocol/index.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { WsTestClient, type Frame } from '../support/ws-client.ts';

describe('wire: outbound agent frames', () => {
  let hub: TestHub;
  let unwatch = () => {};
  afterEach(async () => {
    unwatch();
    await hub?.stop();
  });

  it('sends every outbound frame type with a schema, and each one matches it', async () => {
    // Every frame the hub builds, checked before it is serialized: a compiled serializer would
    // hide a null sent for a string (as "") or a frame of a type with no schema.
    const problems: string[] = [];
    unwatch = watchOutboundFrames((channel, frame, problem) => {
      if (problem) problems.push(`${channel} ${JSON.stringify(frame)}: ${problem}`);
    });
    hub = await startTestHub();
    const token = await hub.register('framer');
    const ws = await WsTestClient.connect(hub.wsUrl);
    const received: Frame[] = [];
    const record = (client: WsTestClient) => client.socket.on('message', (data) => received.push(JSON.parse(data.toString()) as Frame));
    record(ws);

    await ws.request({ type: 'identify', agent_id: 'framer', token, capabilities: [] }, 'identified');
    await ws.request({ type: 'ping' }, 'pong');
    await ws.request({ type: 'status', status: 'busy-ish' }, 'status_updated');

    const submit = async (body: Record<string, unknown>) => (await hub.http('POST', '/api/tasks', { body })).body.task_id as string;
    const report = (message: Record<string, unknown>) => ws.request(message, 'task_ack');

    // No backoff, so the retry is assigned again at once.
    await submit({ description: 'fail once, then complete', metadata: { nested: { list: [1, 'two', null] } }, max_retries: 1, retry_backoff_ms: 0 });
    let assign = await ws.nextMessage('task_assign');
    await report({ type: 'task_accepted', task_id: assign.task_id });
    expect((await report({ type: 'task_failed', task_id: assign.task_id, generation: assign.generation, error: 'red' })).status).to.equal('retried');
    assign = await ws.nextMessage('task_assign');
    expect((await report({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: {} })).status).to.equal('complete');

    const cancelled = await submit({ description: 'recover, then cancel', complete_by: Date.now() + 3_600_000, needed_capabilities: [] });
    assign = await ws.nextMessage('task_assign');
    await ws.request({ type: 'task_recovering', task_id: cancelled }, 'task_continue');
    await ws.request({ type: 'task_recovering', task_id: 'task-0000000000000000' }, 'task_reassign');
    await hub.http('POST', `/api/tasks/${cancelled}/cancel`);
    const cancel = await ws.nextMessage('task_cancelled');
    expect(cancel).to.deep.equal({ type: 'task_cancelled', task_id: cancelled, generation: assign.generation });
    // The agent stays 'stopping' until it says the work stopped.
    expect((await report({ type: 'task_stopped', task_id: cancelled, generation: assign.generation })).status).to.equal('stopped');

    await submit({ description: 'dead on first failure', max_retries: 0 });
    assign = await ws.nextMessage('task_assign');
    expect((await report({ type: 'task_failed', task_id: assign.task_id, generation: assign.generation, error: 'x' })).status).to.equal('dead_letter');

    // Fleet control: a rate-limited agent is parked and resumed; a task past its budget is cancelled with the reason.
    await submit({ description: 'parked, then resumed' });
    assign = await ws.nextMessage('task_assign');
    await report({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation });
    expect((await report({ type: 'agent_rate_limited', task_id: assign.task_id, generation: assign.generation, until: Date.now() + 200 })).status).to.equal('parked');
    expect(await ws.nextMessage('task_resume')).to.deep.equal({ type: 'task_resume', task_id: assign.task_id, generation: assign.generation });
    await report({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: {} });
    await submit({ description: 'over budget', budget_tokens: 10 });
    assign = await ws.nextMessage('task_assign');
    await report({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation });
    ws.send({ type: 'task_progress', task_id: assign.task_id, generation: assign.generation, tokens_used: 50 });
    expect(await ws.nextMessage('task_cancelled')).to.deep.equal({
      type: 'task_cancelled', task_id: assign.task_id, generation: assign.generation, reason: 'budget_exceeded',
    });
    await report({ type: 'task_stopped', task_id: assign.task_id, generation: assign.generation });
    const leasing = await submit({ description: 'lease more paths', paths: ['src/**'] });
    assign = await ws.nextMessage('task_assign');
    expect(assign.task_id).to.equal(leasing);
    const granted = await ws.request({ type: 'lease_acquire', task_id: leasing, paths: ['docs/**'], request_id: 'r1' }, 'lease_result');
    expect(granted.result).to.equal('granted');
    expect((await ws.request({ type: 'lease_release', lease_id: (granted.lease as { lease_id: string }).lease_id }, 'lease_result')).result).to.equal('released');
    expect((await ws.request({ type: 'lease_release', lease_id: 'lease-gone' }, 'lease_result')).result).to.equal('error');
    await report({ type: 'task_complete', task_id: leasing, generation: assign.generation, result: {} });
    // A question mid-task: approval_ack when stored, approval_answer when answered.
    await submit({ description: 'asks first' });
    assign = await ws.nextMessage('task_assign');
    await report({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation });
    const stored = await ws.request({ type: 'approval_request', task_id: assign.task_id, generation: assign.generation, question_id: 'q-1', question: 'Go?' }, 'approval_ack');
    const answered = ws.nextMessage('approval_answer');
    expect((await hub.http('POST', `/api/approvals/${String(stored.approval_id)}`, { body: { answer: 'go' } })).status).to.equal(200);
    expect((await answered).answer).to.equal('go');
    expect((await report({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: {} })).status).to.equal('complete');

    // A task with a dependency gets its dependency's result in task_assign.
    const first = await submit({ description: 'plan' });
    assign = await ws.nextMessage('task_assign');
    await report({ type: 'task_complete', task_id: first, generation: assign.generation, result: { plan: ['a', 'b'] } });
    await submit({ description: 'implement', depends_on: [first] });
    assign = await ws.nextMessage('task_assign');
    expect(assign.dependencies).to.deep.equal([{ task_id: first, status: 'completed', result: { plan: ['a', 'b'] } }]);
    await report({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: {} });

    await submit({ description: 'rejected' });
    assign = await ws.nextMessage('task_assign');
    expect((await report({ type: 'task_rejected', task_id: assign.task_id, generation: assign.generation, reason: 'busy' })).status).to.equal('rejected');

    // Refusals: a report about an unknown task, and a frame of an unknown type.
    const refused = await ws.request({ type: 'task_complete', task_id: 'task-ffffffffffffffff', generation: 1 }, 'error');
    expect(refused).to.include({ error: 'task_complete_failed: not_found', code: 'AC_ERR_TASK_NOT_FOUND', task_id: 'task-ffffffffffffffff' });
    const unknown = await ws.request({ type: 'no_such_frame' }, 'error');
    expect(unknown).to.include({ error: 'validation_failed', message_type: 'no_such_frame' });
    expect((unknown.errors as Array<{ known_types?: string[] }>)[0]!.known_types).to.include('task_complete');

    // Presence: another agent joins, lists the fleet, changes its status; messaging both ways; then it leaves.
    const other = await hub.connectAgent('listener');
    record(other.ws);
    expect((await ws.nextMessage('agent_joined')).agent).to.include({ agent_id: 'listener' });
    const listed = await ws.request({ type: 'list_agents' }, 'agents');
    expect((listed.agents as Array<{ agent_id: string }>).map((agent) => agent.agent_id).sort()).to.deep.equal(['framer', 'listener']);
    other.ws.send({ type: 'status', status: 'thinking' });
    expect((await ws.nextMessage('status_changed')).agent).to.include({ agent_id: 'listener', status: 'thinking' });
    expect((await hub.http('POST', '/api/channels', { body: { name: 'ops', description: 'operations' } })).status).to.equal(201);
    expect((await ws.request({ type: 'list_channels' }, 'channels')).channels).to.have.length(1);
    await other.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed');
    await ws.request({ type: 'channel_subscribe', channel: '#ops' }, 'channel_subscribed');
    expect(await other.ws.nextMessage('channel_agent_joined')).to.deep.equal({ type: 'channel_agent_joined', channel: 'ops', agent_id: 'framer' });
    expect((await ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed')).note).to.equal('already_subscribed');
    await other.ws.request({ type: 'channel_publish', channel: 'ops', payload: { step: 1 }, client_msg_id: 'p-1' }, 'channel_published');
    expect((await other.ws.request({ type: 'channel_publish', channel: 'ops', payload: { step: 1 }, client_msg_id: 'p-1' }, 'channel_published')).duplicate).to.equal(true);
    expect((await ws.nextMessage('channel_message')).payload).to.deep.equal({ step: 1 });
    expect((await ws.request({ type: 'channel_history', channel: 'ops' }, 'channel_history')).messages).to.have.length(1);
    await ws.request({ type: 'channel_unsubscribe', channel: 'ops' }, 'channel_unsubscribed');
    expect((await ws.request({ type: 'channel_publish', channel: 'nowhere', payload: {} }, 'error')).channel).to.equal('nowhere');
    await other.ws.request({ type: 'message', to: 'framer', payload: { hi: 1 }, reply_to: 'm-0' }, 'message_sent');
    expect(await ws.nextMessage('message')).to.include({ from: 'listener', to: 'framer', reply_to: 'm-0' });
    await other.ws.request({ type: 'message', payload: { all: 1 } }, 'message_sent');
    expect(await ws.nextMessage('message')).to.include({ from: 'listener', to: 'broadcast', reply_to: null });
    await other.ws.close();
    expect(await ws.nextMessage('agent_left')).to.deep.equal({ type: 'agent_left', agent_id: 'listener' });

    expect(problems).to.deep.equal([]);
    const ajv = new Ajv({ strict: false });
    const seen = new Set<string>();
    for (const frame of received) {
      const schema = wsOutboundSchemas[frame.type];
      expect(schema, `a frame of a type with no schema: ${JSON.stringify(frame)}`).to.not.equal(undefined);
      if (!schema) continue;
      seen.add(frame.type);
      const validate = ajv.compile(schema);
      expect(validate(frame), `${frame.type} ${JSON.stringify(frame)}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      // The compiled serializer sends only what the schema declares.
      expect(Object.keys(frame).filter((key) => !(key in schema.properties)), frame.type).to.deep.equal([]);
    }
    // The bucket frames need a flood to provoke; test/unit/web/frame-serializer.test.ts checks them.
    const provoked = Object.keys(wsOutboundSchemas).filter((type) => type !== 'rate_limited' && type !== 'rate_limit_warning');
    expect([...seen].sort()).to.deep.equal(provoked.sort());
    const acks = received.filter((frame) => frame.type === 'task_ack').map((frame) => frame.status);
    expect(new Set(acks)).to.deep.equal(new Set(['accepted', 'retried', 'complete', 'stopped', 'dead_letter', 'rejected', 'parked']));
  });
});
