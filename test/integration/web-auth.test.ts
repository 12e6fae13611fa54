import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { WsTestClient } from '../support/ws-client.ts';

/** Every endpoint that needs the admin scope, with a body that would otherwise be valid. */
const adminEndpoints: Array<[string, string, unknown?]> = [
  ['POST', '/api/admin/push-task', { agent_id: 'a', description: 'd' }],
  ['POST', '/admin/tokens', { agent_id: 'other' }],
  ['GET', '/admin/tokens'],
  ['POST', '/api/admin/tokens', { agent_id: 'other' }],
  ['GET', '/api/admin/tokens'],
  ['DELETE', '/admin/tokens/someone-else'],
  ['DELETE', '/api/admin/tokens/someone-else'],
  ['PUT', '/api/admin/log-level', { level: 'info' }],
  ['DELETE', '/api/tasks/dead-letter'],
  ['DELETE', '/api/tasks/dead-letter/task-0000000000000000'],
  ['PUT', '/api/config/default-repo', { url: 'https://example.com/r.git' }],
  ['GET', '/api/dashboard/state'],
];

const agentEndpoints: Array<[string, string, unknown?]> = [
  ['POST', '/api/tasks', { description: 'd' }],
  ['GET', '/api/tasks'],
  ['GET', '/api/tasks/stats'],
  ['GET', '/api/tasks/dead-letter'],
  ['GET', '/api/tasks/task-0000000000000000'],
  ['POST', '/api/tasks/task-0000000000000000/retry'],
  ['POST', '/api/tasks/task-0000000000000000/cancel'],
  ['GET', '/api/agents/states'],
  ['GET', '/api/agents/x/state'],
];

describe('wire: auth', () => {
  let hub: TestHub;
  let agentToken: string;

  before(async () => {
    hub = await startTestHub();
    agentToken = await hub.register('auth-agent');
  });

  after(async () => {
    await hub.stop();
  });

  for (const [method, path, body] of [...agentEndpoints, ...adminEndpoints]) {
    it(`${method} ${path} answers 401 without a token or with an unknown one`, async () => {
      const none = await hub.http(method, path, { body, token: null });
      expect(none.status).to.equal(401);
      expect(none.body).to.include({ error: 'unauthorized', code: 'AC_ERR_UNAUTHORIZED' });
      if (!path.includes('dashboard')) expect(none.body.hint).to.equal('provide Authorization: Bearer <token>');
      const wrong = await hub.http(method, path, { body, token: 'f'.repeat(64) });
      expect(wrong.status).to.equal(401);
    });
  }

  for (const [method, path, body] of adminEndpoints) {
    it(`${method} ${path} answers 403 to an agent token`, async () => {
      const result = await hub.http(method, path, { body, token: agentToken });
      expect(result.status).to.equal(403);
      expect(result.body).to.deep.equal({ error: 'forbidden', code: 'AC_ERR_FORBIDDEN', required_scope: 'admin' });
    });
  }

  for (const [method, path, body] of agentEndpoints) {
    it(`${method} ${path} lets an agent token through`, async () => {
      const result = await hub.http(method, path, { body, token: agentToken });
      expect(result.status).to.not.be.oneOf([401, 403]);
    });
  }

  it('accepts ?token= on the dashboard state endpoint only for an admin', async () => {
    const admin = await hub.http('GET', `/api/dashboard/state?token=${hub.adminToken}`, { token: null });
    expect(admin.status).to.equal(200);
    const agent = await hub.http('GET', `/api/dashboard/state?token=${agentToken}`, { token: null });
    expect(agent.status).to.equal(403);
    const bearerOnly = await hub.http('GET', `/api/tasks?token=${agentToken}`, { token: null });
    expect(bearerOnly.status).to.equal(401);
  });

  it('creates, lists and revokes tokens; the list never shows a token', async () => {
    const created = await hub.http('POST', '/admin/tokens', { body: { agent_id: 'minted' } });
    expect(created.status).to.equal(201);
    expect(created.body.agent_id).to.equal('minted');
    expect(created.body.token).to.match(/^[0-9a-f]{64}$/);
    const admin = await hub.http('POST', '/api/admin/tokens', { body: { admin: true, name: 'ops' } });
    expect(admin.body).to.include({ scope: 'admin', name: 'ops' });
    expect((await hub.http('GET', '/admin/tokens', { token: admin.body.token })).status).to.equal(200);

    const listed = await hub.http('GET', '/admin/tokens');
    const entry = listed.body.tokens.find((t: { agent_id: string }) => t.agent_id === 'minted');
    expect(entry.token_prefix).to.equal(created.body.token.slice(0, 8));
    expect(JSON.stringify(listed.body)).not.to.contain(created.body.token);

    const revoked = await hub.http('DELETE', '/admin/tokens/minted');
    expect(revoked.body).to.include({ status: 'revoked', agent_id: 'minted' });
    expect((await hub.http('GET', '/api/tasks', { token: created.body.token })).status).to.equal(401);
    const noToken = await hub.http('POST', '/admin/tokens', { body: {} });
    expect(noToken.status).to.equal(422);
  });

  it('lets an agent revoke its own token, as remove-agent.js does', async () => {
    const token = await hub.register('leaving');
    const revoked = await hub.http('DELETE', '/admin/tokens/leaving', { token });
    expect(revoked.status).to.equal(200);
    expect(revoked.body).to.include({ status: 'revoked', agent_id: 'leaving' });
    expect((await hub.http('GET', '/api/tasks', { token })).status).to.equal(401);
  });

  describe('agent socket', () => {
    it('answers not_identified before identify, and keeps the socket open', async () => {
      const ws = await WsTestClient.connect(hub.wsUrl);
      const error = await ws.request({ type: 'ping' }, 'error');
      expect(error.error).to.equal('not_identified');
      const task = await ws.request({ type: 'task_accepted', task_id: 't' }, 'error');
      expect(task.error).to.equal('not_identified');
      expect(ws.isClosed).to.equal(false);
      await ws.close();
    });

    it('answers invalid_token and token_agent_mismatch without closing', async () => {
      const ws = await WsTestClient.connect(hub.wsUrl);
      const invalid = await ws.request({ type: 'identify', agent_id: 'auth-agent', token: 'nope' }, 'error');
      expect(invalid.error).to.equal('invalid_token');
      const mismatch = await ws.request({ type: 'identify', agent_id: 'someone-else', token: agentToken }, 'error');
      expect(mismatch.error).to.equal('token_agent_mismatch');
      const ok = await ws.request({ type: 'identify', agent_id: 'auth-agent', token: agentToken }, 'identified');
      expect(ok.agent_id).to.equal('auth-agent');
      await ws.close();
    });

    it('lets an admin token identify as any agent', async () => {
      const ws = await WsTestClient.connect(hub.wsUrl);
      const ok = await ws.request({ type: 'identify', agent_id: 'made-up', token: hub.adminToken }, 'identified');
      expect(ok.agent_id).to.equal('made-up');
      await ws.close();
    });

    it('closes the socket of a revoked agent at once and refuses the token afterwards', async () => {
      const agent = await hub.connectAgent('doomed');
      const revoked = await hub.http('DELETE', '/admin/tokens/doomed');
      expect(revoked.status).to.equal(200);
      const closed = await agent.ws.closed;
      expect(closed.code).to.equal(4001);
      const ws = await WsTestClient.connect(hub.wsUrl);
      const error = await ws.request({ type: 'identify', agent_id: 'doomed', token: agent.token }, 'error');
      expect(error.error).to.equal('invalid_token');
      await ws.close();
    });

    it('routes pushes to the newest socket of an agent and closes the older one', async () => {
      const token = await hub.register('twice');
      const older = await hub.connectAgent('twice', { token });
      const newer = await hub.connectAgent('twice', { token });
      expect((await older.ws.closed).code).to.equal(4000);
      await hub.http('POST', '/api/admin/push-task', { body: { agent_id: 'twice', description: 'for the new one' } });
      await newer.ws.nextMessage('task_assign');
      const agents = await hub.http('GET', '/api/agents', { token: null });
      expect(agents.body.agents.map((a: { agent_id: string }) => a.agent_id)).to.include('twice');
    });
  });

  describe('dashboard socket', () => {
    it('pushes a snapshot to an admin and batches hub events', async () => {
      const ws = await WsTestClient.connect(`${hub.wsUrl}/dashboard?token=${hub.adminToken}`);
      const snapshot = await ws.nextMessage('snapshot');
      expect(snapshot.data).to.be.an('object');
      await hub.http('POST', '/api/tasks', { body: { description: 'watched' } });
      const events = await ws.nextMessage('events');
      expect(events.data).to.be.an('array').that.is.not.empty;
      const again = await ws.request({ type: 'request_snapshot' }, 'snapshot');
      expect(again.data).to.be.an('object');
      const retry = await ws.request({ type: 'retry_task', task_id: 'task-0000000000000000' }, 'retry_result');
      expect(retry).to.include({ task_id: 'task-0000000000000000', status: 'not_found' });
      const ack = await ws.request({ type: 'acknowledge_alert', rule_id: 'queue_growing' }, 'alert_ack_result');
      expect(ack).to.include({ rule_id: 'queue_growing', status: 'not_found' });
      await ws.close();
    });

    it('accepts the admin token as a first auth frame', async () => {
      const ws = await WsTestClient.connect(`${hub.wsUrl}/dashboard`);
      const snapshot = await ws.request({ type: 'auth', token: hub.adminToken }, 'snapshot');
      expect(snapshot.data).to.be.an('object');
      await ws.close();
    });

    it('refuses an agent token in the URL and closes on a bad first frame', async () => {
      let refused: unknown = null;
      await WsTestClient.connect(`${hub.wsUrl}/dashboard?token=${agentToken}`).catch((error: unknown) => { refused = error; });
      expect(String(refused)).to.contain('401');
      const ws = await WsTestClient.connect(`${hub.wsUrl}/dashboard`);
      ws.send({ type: 'auth', token: agentToken });
      expect((await ws.closed).code).to.equal(1008);
    });
  });
});
