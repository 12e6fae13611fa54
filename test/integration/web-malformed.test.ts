import { expect } from 'chai';
import { startTestHub, type AgentClient, type TestHub } from '../support/hub-harness.ts';
import { WsTestClient } from '../support/ws-client.ts';

/** Malformed frames per agent-socket type; each must come back as validation_failed for that type. */
const badFrames: Record<string, Array<Record<string, unknown>>> = {
  identify: [{ type: 'identify' }, { type: 'identify', agent_id: 'x'.repeat(129), token: 't' }, { type: 'identify', agent_id: 'a', token: 1 }],
  status: [{ type: 'status' }, { type: 'status', status: 'x'.repeat(257) }, { type: 'status', status: ['busy'] }],
  task_accepted: [{ type: 'task_accepted' }, { type: 'task_accepted', task_id: 5 }],
  task_progress: [{ type: 'task_progress' }, { type: 'task_progress', task_id: 't', progress: 'half' }],
  task_complete: [{ type: 'task_complete', task_id: 't' }, { type: 'task_complete', task_id: 't', generation: '1' }, { type: 'task_complete', task_id: 't', generation: 1, result: 'ok' }],
  task_failed: [{ type: 'task_failed', task_id: 't' }, { type: 'task_failed', task_id: 't', generation: 1, error: 'e'.repeat(2001) }],
  task_recovering: [{ type: 'task_recovering' }],
  task_rejected: [{ type: 'task_rejected' }, { type: 'task_rejected', task_id: 't', reason: 'r'.repeat(2001) }],
  message: [{ type: 'message' }],
  channel_subscribe: [{ type: 'channel_subscribe', channel: 'c'.repeat(65) }],
  channel_publish: [{ type: 'channel_publish', channel: 'ops' }],
  channel_history: [{ type: 'channel_history', channel: 'ops', limit: 'all' }],
  ping: [{ type: 'ping', name: 'n'.repeat(257) }],
  list_agents: [{ type: 'list_agents', agent_id: 'a'.repeat(129) }],
  resource_report: [{ type: 'resource_report', reason: 'r'.repeat(2001) }],
};

/** Malformed inputs per HTTP endpoint: [label, raw body, expected status, expected error]. */
const endpoints: Array<{ method: string; path: string; cases: Array<[string, string, number, string]> }> = [
  {
    method: 'POST', path: '/api/tasks', cases: [
      ['bad JSON', '{"description": ', 400, 'invalid_json'],
      ['an array', '[1,2]', 422, 'validation_failed'],
      ['no description', '{}', 422, 'validation_failed'],
      ['a numeric description', '{"description": 5}', 422, 'validation_failed'],
      ['an over-long description', JSON.stringify({ description: 'd'.repeat(10_001) }), 422, 'validation_failed'],
      ['a bad priority', '{"description": "d", "priority": "someday"}', 422, 'validation_failed'],
      ['a string max_retries', '{"description": "d", "max_retries": "3"}', 422, 'validation_failed'],
      ['a bad capability list', '{"description": "d", "needed_capabilities": "ts"}', 422, 'validation_failed'],
    ],
  },
  {
    method: 'POST', path: '/api/onboard/register', cases: [
      ['bad JSON', 'nope', 400, 'invalid_json'],
      ['an empty id', '{"agent_id": ""}', 422, 'validation_failed'],
      ['no id', '{}', 422, 'validation_failed'],
      ['an over-long id', JSON.stringify({ agent_id: 'a'.repeat(129) }), 422, 'validation_failed'],
    ],
  },
  {
    method: 'PUT', path: '/api/config/default-repo', cases: [
      ['bad JSON', '{', 400, 'invalid_json'],
      ['no url', '{}', 422, 'validation_failed'],
      ['a numeric url', '{"url": 1}', 422, 'validation_failed'],
    ],
  },
  {
    method: 'POST', path: '/api/admin/push-task', cases: [
      ['bad JSON', '{"agent_id"', 400, 'invalid_json'],
      ['no description', '{"agent_id": "a"}', 422, 'validation_failed'],
      ['a string metadata', '{"agent_id": "a", "description": "d", "metadata": "m"}', 422, 'validation_failed'],
    ],
  },
  {
    method: 'POST', path: '/admin/tokens', cases: [
      ['bad JSON', ']', 400, 'invalid_json'],
      ['a numeric agent id', '{"agent_id": 3}', 422, 'validation_failed'],
      ['a string admin flag', '{"admin": "yes"}', 422, 'validation_failed'],
    ],
  },
  {
    method: 'PUT', path: '/api/admin/log-level', cases: [
      ['bad JSON', 'level=debug', 400, 'invalid_json'],
      ['no level', '{}', 422, 'validation_failed'],
      ['an unknown level', '{"level": "shout"}', 422, 'invalid_level'],
    ],
  },
  {
    method: 'GET', path: '/api/tasks', cases: [
      ['?status=unknown', '', 422, 'validation_failed'],
      ['?limit=ten', '', 422, 'validation_failed'],
      ['?priority=9', '', 422, 'validation_failed'],
      ['?cursor=-1', '', 422, 'validation_failed'],
    ],
  },
  {
    method: 'GET', path: '/api/tasks/dead-letter', cases: [['?limit=many', '', 422, 'validation_failed']],
  },
];

describe('wire: malformed input', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({ max_payload_bytes: 64 * 1024 });
  });

  after(async () => {
    await hub.stop();
  });

  /** The hub still serves correct traffic: a task goes through a fresh agent end to end. */
  async function stillServes(): Promise<void> {
    expect((await hub.http('GET', '/health', { token: null })).status).to.equal(200);
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'canary' } });
    expect(submitted.status).to.equal(201);
    const agent = await hub.connectAgent(`canary-${Math.random().toString(16).slice(2, 10)}`);
    const assign = await agent.ws.nextMessage('task_assign');
    const ack = await agent.ws.request({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation }, 'task_ack');
    expect(ack.status).to.equal('complete');
    await agent.ws.close();
  }

  let counter = 0;
  const freshAgent = (): Promise<AgentClient> => hub.connectAgent(`bad-${++counter}`);

  for (const [type, frames] of Object.entries(badFrames)) {
    it(`answers malformed ${type} frames with validation_failed and keeps serving`, async () => {
      const agent = await freshAgent();
      for (const frame of frames) {
        const error = await agent.ws.request(frame, 'error');
        expect(error, JSON.stringify(frame).slice(0, 80)).to.include({ error: 'validation_failed', message_type: type, code: 'AC_ERR_VALIDATION' });
        expect(error.errors).to.be.an('array').that.is.not.empty;
        const item = (error.errors as Array<Record<string, unknown>>)[0]!;
        expect(item).to.have.keys(item.value === undefined ? ['field', 'error', 'detail'] : ['field', 'error', 'detail', 'value']);
      }
      expect((await agent.ws.request({ type: 'ping' }, 'pong')).timestamp).to.be.a('number');
      await agent.ws.close();
      await stillServes();
    });
  }

  it('answers bad JSON, non-objects, a missing type, an unknown type and binary frames', async () => {
    const agent = await freshAgent();
    agent.ws.sendRaw('{"type": "ping"');
    expect((await agent.ws.nextMessage('error')).error).to.equal('invalid_json');
    for (const raw of ['[1]', '"ping"', '42', 'null']) {
      agent.ws.sendRaw(raw);
      const error = await agent.ws.nextMessage('error');
      expect(error.errors).to.deep.equal([{ field: 'message', error: 'wrong_type', detail: 'message must be a JSON object' }]);
    }
    const missing = await agent.ws.request({ agent_id: 'x' }, 'error');
    expect(missing.errors).to.deep.equal([{ field: 'type', error: 'required', detail: 'type is required' }]);
    const unknown = await agent.ws.request({ type: 'teleport' }, 'error');
    expect(unknown.message_type).to.equal('teleport');
    expect((unknown.errors as Array<Record<string, unknown>>)[0]).to.include({ field: 'type', error: 'unknown_message_type' });
    agent.ws.sendRaw(Buffer.from('{"type":"ping"}'), true);
    expect((await agent.ws.nextMessage('error')).error).to.equal('validation_failed');
    expect((await agent.ws.request({ type: 'ping' }, 'pong')).type).to.equal('pong');
    await agent.ws.close();
    await stillServes();
  });

  it('answers messaging types and ignores later-sidecar reports, without counting violations', async () => {
    const agent = await freshAgent();
    for (let i = 0; i < 12; i++) {
      const answer = await agent.ws.request({ type: 'list_channels' }, 'channels');
      expect(answer.channels).to.be.an('array');
      agent.ws.send({ type: 'resource_report', cpu: 0.5 });
      agent.ws.send({ type: 'state_report', state: 'idle' });
    }
    expect((await agent.ws.request({ type: 'ping' }, 'pong')).type).to.equal('pong');
    expect(agent.ws.pending().map((f) => f.type)).to.deep.equal([]);
    await agent.ws.close();
  });

  for (const { method, path, cases } of endpoints) {
    for (const [label, raw, status, error] of cases) {
      it(`${method} ${path} with ${label} → ${status} ${error}`, async () => {
        const url = label.startsWith('?') ? `${path}${label}` : path;
        const result = await hub.http(method, url, method === 'GET' ? {} : { rawBody: raw });
        expect(result.status, JSON.stringify(result.body)).to.equal(status);
        expect(result.body.error).to.equal(error);
        expect(result.body.code).to.be.a('string');
        if (error === 'validation_failed') expect(result.body.errors).to.be.an('array').that.is.not.empty;
        expect((await hub.http('GET', '/health', { token: null })).status).to.equal(200);
      });
    }
  }

  it('answers an unknown route with 404 not_found', async () => {
    const result = await hub.http('GET', '/api/nothing-here');
    expect(result.status).to.equal(404);
    expect(result.body).to.deep.include({ error: 'not_found', code: 'AC_ERR_NOT_FOUND' });
  });

  it('refuses a body over the size limit with 413 and keeps serving', async () => {
    const result = await hub.http('POST', '/api/tasks', { rawBody: JSON.stringify({ description: 'x', pad: 'p'.repeat(70 * 1024) }) });
    expect(result.status).to.equal(413);
    expect(result.body).to.include({ error: 'payload_too_large', code: 'AC_ERR_PAYLOAD_TOO_LARGE' });
    await stillServes();
  });

  it('closes a socket that sends a frame over the size limit', async () => {
    const agent = await freshAgent();
    agent.ws.sendRaw(JSON.stringify({ type: 'ping', pad: 'p'.repeat(70 * 1024) }));
    const closed = await agent.ws.closed;
    expect(closed.code).to.be.oneOf([1006, 1009]);
    await stillServes();
  });

  it('closes with 1008 after ten violations and then holds the agent in an identify cooldown', async () => {
    const agent = await freshAgent();
    for (let i = 0; i < 9; i++) await agent.ws.request({ type: 'status' }, 'error');
    expect(agent.ws.isClosed).to.equal(false);
    agent.ws.send({ type: 'status' });
    const closed = await agent.ws.closed;
    expect(closed).to.deep.equal({ code: 1008, reason: 'too many validation errors' });

    const again = await WsTestClient.connect(hub.wsUrl);
    again.send({ type: 'identify', agent_id: agent.agentId, token: agent.token });
    const refused = await again.closed;
    expect(refused.code).to.equal(1008);
    expect(refused.reason).to.match(/^cooldown active: retry in (29|30)s$/);
    await stillServes();
  });

  it('closes an unidentified socket after ten violations too', async () => {
    const ws = await WsTestClient.connect(hub.wsUrl);
    for (let i = 0; i < 10; i++) ws.send({ type: 'status' });
    expect(await ws.closed).to.deep.equal({ code: 1008, reason: 'too many validation errors' });
  });
});
