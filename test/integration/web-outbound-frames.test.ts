import { Ajv } from 'ajv';
import { expect } from 'chai';
import { wsOutboundSchemas } from '../../web/protocol/index.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { WsTestClient, type Frame } from '../support/ws-client.ts';

describe('wire: outbound agent frames', () => {
  let hub: TestHub;
  afterEach(async () => hub?.stop());

  it('sends every outbound frame type with a schema, and each one matches it', async () => {
    hub = await startTestHub();
    const token = await hub.register('framer');
    const ws = await WsTestClient.connect(hub.wsUrl);
    const received: Frame[] = [];
    ws.socket.on('message', (data) => received.push(JSON.parse(data.toString()) as Frame));

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

    // A question mid-task: approval_ack when stored, approval_answer when answered.
    await submit({ description: 'asks first' });
    assign = await ws.nextMessage('task_assign');
    await report({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation });
    const stored = await ws.request({ type: 'approval_request', task_id: assign.task_id, generation: assign.generation, question_id: 'q-1', question: 'Go?' }, 'approval_ack');
    const answered = ws.nextMessage('approval_answer');
    expect((await hub.http('POST', `/api/approvals/${String(stored.approval_id)}`, { body: { answer: 'go' } })).status).to.equal(200);
    expect((await answered).answer).to.equal('go');
    expect((await report({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: {} })).status).to.equal('complete');

    await submit({ description: 'rejected' });
    assign = await ws.nextMessage('task_assign');
    expect((await report({ type: 'task_rejected', task_id: assign.task_id, generation: assign.generation, reason: 'busy' })).status).to.equal('rejected');

    const ajv = new Ajv({ strict: false });
    const seen = new Set<string>();
    for (const frame of received) {
      const schema = wsOutboundSchemas[frame.type];
      if (!schema) continue;
      seen.add(frame.type);
      const validate = ajv.compile(schema);
      expect(validate(frame), `${frame.type} ${JSON.stringify(frame)}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
      // The compiled serializer sends only what the schema declares.
      expect(Object.keys(frame).filter((key) => !(key in schema.properties)), frame.type).to.deep.equal([]);
    }
    expect([...seen].sort()).to.deep.equal(Object.keys(wsOutboundSchemas).sort());
    const acks = received.filter((frame) => frame.type === 'task_ack').map((frame) => frame.status);
    expect(new Set(acks)).to.deep.equal(new Set(['accepted', 'retried', 'complete', 'stopped', 'dead_letter', 'rejected']));
  });
});
