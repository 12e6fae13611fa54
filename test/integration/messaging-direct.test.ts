import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { WsTestClient } from '../support/ws-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('messaging: direct messages, broadcast and presence', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await startTestHub({ max_message_bytes: 1024 });
  });

  afterEach(async () => {
    await hub.stop();
  });

  it('pushes a direct message to the connected recipient and answers message_sent with a 16-hex id', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    const sent = await alice.ws.request(
      { type: 'message', to: 'bob', payload: { text: 'review please' }, message_type: 'request', reply_to: 'abc' },
      'message_sent',
    );
    expect(sent.id).to.match(/^[0-9a-f]{16}$/);
    const got = await bob.ws.nextMessage('message');
    expect(got).to.include({ id: sent.id, from: 'alice', message_type: 'request', reply_to: 'abc' });
    expect(got.payload).to.deep.equal({ text: 'review please' });
    expect(got.timestamp).to.be.a('number');
    expect(alice.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
  });

  it('defaults message_type to chat and reply_to to null', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 1 } }, 'message_sent');
    expect(await bob.ws.nextMessage('message')).to.include({ message_type: 'chat', reply_to: null });
  });

  it('stores a message for an offline agent and pushes it when the agent identifies', async () => {
    const alice = await hub.connectAgent('alice');
    const bobToken = await hub.register('bob');
    const first = await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 1 } }, 'message_sent');
    const second = await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 2 } }, 'message_sent');
    const bob = await hub.connectAgent('bob', { token: bobToken });
    expect((await bob.ws.nextMessage('message')).id).to.equal(first.id);
    expect((await bob.ws.nextMessage('message')).id).to.equal(second.id);
  });

  it('after a reconnect pushes only what the agent was not sent, and the mailbox keeps both until acked', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 1 } }, 'message_sent');
    await bob.ws.nextMessage('message');
    await bob.ws.close();
    await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 2 } }, 'message_sent');
    const again = await hub.connectAgent('bob', { token: bob.token });
    expect((await again.ws.nextMessage('message')).payload).to.deep.equal({ n: 2 });
    await sleep(100);
    expect(again.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
    const mailbox = await hub.http('GET', '/api/mailbox/bob', { token: bob.token });
    expect(mailbox.body.messages.map((m: { payload: unknown }) => m.payload)).to.deep.equal([{ n: 1 }, { n: 2 }]);
  });

  it('keeps one sender\'s messages in order', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    const count = 200;
    const answers = [];
    for (let n = 0; n < count; n++) answers.push(alice.ws.nextMessage('message_sent'));
    for (let n = 0; n < count; n++) alice.ws.send({ type: 'message', to: 'bob', payload: { n } });
    await Promise.all(answers);
    const received: number[] = [];
    for (let n = 0; n < count; n++) received.push((await bob.ws.nextMessage('message')).payload as unknown as number);
    expect(received.map((p) => (p as unknown as { n: number }).n)).to.deep.equal([...Array(count).keys()]);
  });

  it('sends a broadcast to every connected agent except the sender', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    const carol = await hub.connectAgent('carol');
    const sent = await alice.ws.request({ type: 'message', payload: { text: 'standup' } }, 'message_sent');
    for (const other of [bob, carol]) {
      expect(await other.ws.nextMessage('message')).to.include({ id: sent.id, from: 'alice' });
    }
    const explicit = await bob.ws.request({ type: 'message', to: 'broadcast', payload: { text: 'again' } }, 'message_sent');
    expect((await alice.ws.nextMessage('message')).id).to.equal(explicit.id);
    expect((await carol.ws.nextMessage('message')).id).to.equal(explicit.id);
    await sleep(100);
    expect(alice.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
    expect(bob.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
  });

  it('sends over HTTP as the token\'s agent, direct and broadcast', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    const direct = await hub.http('POST', '/api/message', { token: alice.token, body: { to: 'bob', payload: { a: 1 }, type: 'question' } });
    expect(direct.status).to.equal(200);
    expect(direct.body).to.include({ status: 'sent' });
    expect(await bob.ws.nextMessage('message')).to.include({ id: direct.body.id, from: 'alice', message_type: 'question' });
    const all = await hub.http('POST', '/api/message', { token: alice.token, body: { payload: { a: 2 } } });
    expect((await bob.ws.nextMessage('message')).id).to.equal(all.body.id);
    await sleep(100);
    expect(alice.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
  });

  it('answers a retry with the same client_msg_id with the first id and delivers once', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    const frame = { type: 'message', to: 'bob', payload: { n: 1 }, client_msg_id: 'retry-1' };
    const first = await alice.ws.request(frame, 'message_sent');
    const second = await alice.ws.request(frame, 'message_sent');
    expect(second).to.include({ id: first.id, duplicate: true });
    const viaHttp = await hub.http('POST', '/api/message', { token: alice.token, body: { to: 'bob', payload: { n: 1 }, client_msg_id: 'retry-1' } });
    expect(viaHttp.body).to.include({ id: first.id, duplicate: true });
    await bob.ws.nextMessage('message');
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
    expect((await hub.http('GET', '/api/mailbox/bob')).body.count).to.equal(1);
    // Another sender's identical client id is its own message.
    const carol = await hub.connectAgent('carol');
    const other = await carol.ws.request(frame, 'message_sent');
    expect(other.id).to.not.equal(first.id);
  });

  it('refuses a direct message reusing a client_msg_id the sender first used for one to another agent, and delivers nothing', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    const carol = await hub.connectAgent('carol');
    const first = await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 1 }, client_msg_id: 'c-1' }, 'message_sent');
    await bob.ws.nextMessage('message');
    // It used to be answered message_sent with bob's message id and duplicate:true; carol never got it.
    const refused = await alice.ws.request({ type: 'message', to: 'carol', payload: { n: 2 }, client_msg_id: 'c-1' }, 'error');
    expect(refused).to.include({ error: 'client_msg_id_conflict', code: 'AC_ERR_CLIENT_MSG_ID_CONFLICT', message_type: 'message' });
    const overHttp = await hub.http('POST', '/api/message', { token: alice.token, body: { to: 'carol', payload: { n: 3 }, client_msg_id: 'c-1' } });
    expect(overHttp.status, JSON.stringify(overHttp.body)).to.equal(409);
    expect(overHttp.body.code).to.equal('AC_ERR_CLIENT_MSG_ID_CONFLICT');
    // A true retry still gets the first answer.
    const retry = await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 1 }, client_msg_id: 'c-1' }, 'message_sent');
    expect(retry).to.include({ id: first.id, seq: first.seq, duplicate: true });
    await sleep(100);
    expect(carol.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
    expect(bob.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
    expect((await hub.http('GET', '/api/mailbox/carol')).body.count).to.equal(0);
    expect((await hub.http('GET', '/api/mailbox/bob')).body.count).to.equal(1);
  });

  it('refuses a direct message or a broadcast reusing the client_msg_id of another kind of send, and sends nothing', async () => {
    expect((await hub.http('POST', '/api/channels', { body: { name: 'ops', description: '' } })).status).to.equal(201);
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await alice.ws.request({ type: 'message', payload: { n: 1 }, client_msg_id: 'to-all' }, 'message_sent');
    await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 2 }, client_msg_id: 'to-bob' }, 'message_sent');
    await alice.ws.request({ type: 'channel_publish', channel: 'ops', payload: { n: 3 }, client_msg_id: 'to-ops' }, 'channel_published');
    expect((await bob.ws.nextMessage('message')).payload).to.deep.equal({ n: 1 });
    expect((await bob.ws.nextMessage('message')).payload).to.deep.equal({ n: 2 });
    for (const [to, clientMsgId] of [['bob', 'to-all'], ['bob', 'to-ops'], ['broadcast', 'to-bob'], ['broadcast', 'to-ops']]) {
      const refused = await alice.ws.request({ type: 'message', to, payload: { n: 4 }, client_msg_id: clientMsgId }, 'error');
      expect(refused, `${clientMsgId} to ${to}`).to.include({ error: 'client_msg_id_conflict', code: 'AC_ERR_CLIENT_MSG_ID_CONFLICT' });
    }
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
    expect((await hub.http('GET', '/api/mailbox/bob')).body.count).to.equal(1);
  });

  it('refuses a payload over max_message_bytes and stores nothing', async () => {
    const alice = await hub.connectAgent('alice');
    const error = await alice.ws.request({ type: 'message', to: 'bob', payload: { text: 'x'.repeat(2000) } }, 'error');
    expect(error).to.include({ error: 'message_too_large', code: 'AC_ERR_MESSAGE_TOO_LARGE', message_type: 'message' });
    const http = await hub.http('POST', '/api/message', { token: alice.token, body: { to: 'bob', payload: { text: 'x'.repeat(2000) } } });
    expect(http.status).to.equal(413);
    expect((await hub.http('GET', '/api/mailbox/bob')).body.count).to.equal(0);
  });

  it('tells other agents of joins, status changes and departures, never an agent its own join', async () => {
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob', { capabilities: ['review'] });
    const joined = await alice.ws.nextMessage('agent_joined');
    expect(joined.agent).to.deep.include({ agent_id: 'bob', name: 'bob', capabilities: ['review'] });
    expect(Object.keys(joined.agent as object).sort()).to.deep.equal(['agent_id', 'capabilities', 'connected_at', 'name', 'status']);
    await bob.ws.request({ type: 'status', status: 'reviewing' }, 'status_updated');
    expect((await alice.ws.nextMessage('status_changed')).agent).to.include({ agent_id: 'bob', status: 'reviewing' });
    await bob.ws.close();
    expect(await alice.ws.nextMessage('agent_left')).to.include({ agent_id: 'bob' });
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'agent_joined')).to.deep.equal([]);
    expect(bob.ws.pending().filter((f) => f.type === 'status_changed')).to.deep.equal([]);
  });

  it('does not push to a socket before it identifies', async () => {
    const alice = await hub.connectAgent('alice');
    const anonymous = await WsTestClient.connect(hub.wsUrl);
    await alice.ws.request({ type: 'message', payload: { text: 'hello all' } }, 'message_sent');
    await sleep(100);
    expect(anonymous.pending()).to.deep.equal([]);
    anonymous.socket.terminate();
  });
});
