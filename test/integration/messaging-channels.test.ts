import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('messaging: channels', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await startTestHub();
  });

  afterEach(async () => {
    await hub.stop();
  });

  const createChannel = async (name: string, description = '') => {
    const created = await hub.http('POST', '/api/channels', { body: { name, description } });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body as { name: string };
  };

  /** A publish over HTTP reusing `clientMsgId` for another send: 409 with the conflict code. */
  const expectConflictOverHttp = async (channel: string, token: string, payload: unknown, clientMsgId: string) => {
    const refused = await hub.http('POST', `/api/channels/${channel}/publish`, { token, body: { payload, client_msg_id: clientMsgId } });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
    expect(refused.body.code).to.equal('AC_ERR_CLIENT_MSG_ID_CONFLICT');
  };

  it('creates channels over HTTP with normalised names, and refuses a taken or empty name', async () => {
    const created = await createChannel('#Code-Review!', 'reviews');
    expect(created).to.include({ status: 'created', name: 'code-review', description: 'reviews', subscriber_count: 0 });
    const again = await hub.http('POST', '/api/channels', { body: { name: 'CODE-review' } });
    expect(again.status).to.equal(409);
    expect(again.body).to.include({ error: 'channel_exists', code: 'AC_ERR_CHANNEL_EXISTS' });
    const empty = await hub.http('POST', '/api/channels', { body: { name: '#!!' } });
    expect(empty.status).to.equal(422);
    expect(empty.body.code).to.equal('AC_ERR_CHANNEL_NAME_INVALID');
    expect((await hub.http('POST', '/api/channels', { token: null, body: { name: 'x' } })).status).to.equal(401);
    const listed = await hub.http('GET', '/api/channels', { token: null });
    expect(listed.body.channels).to.have.length(1);
    expect(listed.body.channels[0]).to.have.keys(['name', 'description', 'subscriber_count', 'created_at']);
  });

  it('subscribes over WS, notes a repeat, and tells the other subscribers', async () => {
    await createChannel('ops');
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    expect(await alice.ws.request({ type: 'channel_subscribe', channel: '#OPS' }, 'channel_subscribed')).to.deep.equal({ type: 'channel_subscribed', channel: 'ops' });
    expect(await alice.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed')).to.include({ note: 'already_subscribed' });
    await bob.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed');
    expect(await alice.ws.nextMessage('channel_agent_joined')).to.include({ channel: 'ops', agent_id: 'bob' });
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'channel_agent_joined')).to.deep.equal([]);
    const channels = await alice.ws.request({ type: 'list_channels' }, 'channels');
    expect((channels.channels as Array<Record<string, unknown>>)[0]).to.include({ name: 'ops', subscriber_count: 2 });
    const unknown = await alice.ws.request({ type: 'channel_subscribe', channel: 'nowhere' }, 'error');
    expect(unknown).to.include({ error: 'channel_not_found', code: 'AC_ERR_CHANNEL_NOT_FOUND', message_type: 'channel_subscribe' });
  });

  it('delivers a publish to subscribers only, in order, never back to the sender', async () => {
    await createChannel('ops');
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    const carol = await hub.connectAgent('carol');
    for (const agent of [alice, bob]) await agent.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed');
    const answers = [];
    for (let n = 0; n < 100; n++) answers.push(alice.ws.nextMessage('channel_published'));
    for (let n = 0; n < 100; n++) alice.ws.send({ type: 'channel_publish', channel: 'ops', payload: { n }, message_type: 'note' });
    const published = await Promise.all(answers);
    expect(published.map((p) => p.seq)).to.deep.equal([...Array(100).keys()].map((n) => n + 1));
    expect(published[0]).to.include({ channel: 'ops' });
    expect(published[0]!.id).to.match(/^[0-9a-f]{16}$/);
    const got = [];
    for (let n = 0; n < 100; n++) got.push(await bob.ws.nextMessage('channel_message'));
    expect(got.map((m) => (m.payload as { n: number }).n)).to.deep.equal([...Array(100).keys()]);
    expect(got[0]).to.include({ channel: 'ops', from: 'alice', message_type: 'note', id: published[0]!.id, reply_to: null });
    await sleep(100);
    expect(alice.ws.pending().filter((f) => f.type === 'channel_message')).to.deep.equal([]);
    expect(carol.ws.pending().filter((f) => f.type === 'channel_message')).to.deep.equal([]);
  });

  it('stops delivering after unsubscribe', async () => {
    await createChannel('ops');
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await bob.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed');
    expect(await bob.ws.request({ type: 'channel_unsubscribe', channel: 'ops' }, 'channel_unsubscribed')).to.include({ channel: 'ops' });
    await alice.ws.request({ type: 'channel_publish', channel: 'ops', payload: { n: 1 } }, 'channel_published');
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'channel_message')).to.deep.equal([]);
  });

  it('pages history with since and limit, oldest first, and keeps the newest channel_history_cap', async () => {
    await createChannel('ops');
    const alice = await hub.connectAgent('alice');
    for (let n = 1; n <= 8; n++) await alice.ws.request({ type: 'channel_publish', channel: 'ops', payload: { n } }, 'channel_published');
    const page = await alice.ws.request({ type: 'channel_history', channel: 'ops', since: 2, limit: 3 }, 'channel_history');
    expect(page.channel).to.equal('ops');
    expect((page.messages as Array<{ seq: number }>).map((m) => m.seq)).to.deep.equal([3, 4, 5]);
    const all = await alice.ws.request({ type: 'channel_history', channel: 'ops' }, 'channel_history');
    expect(all.messages).to.have.length(8);
    const http = await hub.http('GET', '/api/channels/ops/history?since=5', { token: null });
    expect(http.body).to.include({ channel: 'ops', count: 3, last_seq: 8 });
    await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 60_000, channel_history_cap: 5 } });
    const trimmed = await hub.http('GET', '/api/channels/ops/history', { token: null });
    expect(trimmed.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([4, 5, 6, 7, 8]);
    await alice.ws.request({ type: 'channel_publish', channel: 'ops', payload: { n: 9 } }, 'channel_published');
    const after = await hub.http('GET', '/api/channels/ops/history', { token: null });
    expect(after.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([5, 6, 7, 8, 9]);
    expect((await hub.http('GET', '/api/channels/none/history', { token: null })).status).to.equal(404);
  });

  it('subscribes, publishes and reads over HTTP; an agent subscribes only itself', async () => {
    await createChannel('ops');
    const bob = await hub.connectAgent('bob');
    const aliceToken = await hub.register('alice');
    const sub = await hub.http('POST', '/api/channels/ops/subscribe', { token: bob.token, body: {} });
    expect(sub.body).to.deep.equal({ status: 'subscribed', channel: 'ops', agent_id: 'bob' });
    const other = await hub.http('POST', '/api/channels/ops/subscribe', { token: aliceToken, body: { agent_id: 'bob' } });
    expect(other.status).to.equal(403);
    expect((await hub.http('POST', '/api/channels/ops/subscribe', { body: {} })).status).to.equal(422);
    expect((await hub.http('POST', '/api/channels/ops/subscribe', { body: { agent_id: 'carol' } })).body.agent_id).to.equal('carol');
    const posted = await hub.http('POST', '/api/channels/ops/publish', { token: aliceToken, body: { payload: { n: 1 }, type: 'alert' } });
    expect(posted.body).to.include({ status: 'published', channel: 'ops', seq: 1 });
    expect(await bob.ws.nextMessage('channel_message')).to.include({ from: 'alice', message_type: 'alert', id: posted.body.id });
    const detail = await hub.http('GET', '/api/channels/ops', { token: null });
    expect(detail.body).to.include({ name: 'ops', subscriber_count: 2, last_seq: 1 });
    expect(detail.body.subscribers).to.deep.equal(['bob', 'carol']);
    expect((await hub.http('GET', '/api/subscriptions/bob', { token: bob.token })).body).to.deep.equal({ agent_id: 'bob', channels: ['ops'] });
    expect((await hub.http('POST', '/api/channels/ops/unsubscribe', { token: bob.token, body: {} })).body.status).to.equal('unsubscribed');
    expect((await hub.http('GET', '/api/subscriptions/bob', { token: bob.token })).body.channels).to.deep.equal([]);
    expect((await hub.http('POST', '/api/channels/none/publish', { token: bob.token, body: { payload: {} } })).status).to.equal(404);
  });

  it('keeps subscriptions across a reconnect: the new socket gets the channel at once', async () => {
    await createChannel('ops');
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await bob.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed');
    await bob.ws.close();
    const again = await hub.connectAgent('bob', { token: bob.token });
    await alice.ws.request({ type: 'channel_publish', channel: 'ops', payload: { n: 1 } }, 'channel_published');
    expect((await again.ws.nextMessage('channel_message')).payload).to.deep.equal({ n: 1 });
  });

  it('deduplicates a retried publish by client_msg_id', async () => {
    await createChannel('ops');
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await bob.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed');
    const frame = { type: 'channel_publish', channel: 'ops', payload: { n: 1 }, client_msg_id: 'p-1' };
    const first = await alice.ws.request(frame, 'channel_published');
    const second = await alice.ws.request(frame, 'channel_published');
    expect(second).to.include({ id: first.id, seq: first.seq, duplicate: true });
    await bob.ws.nextMessage('channel_message');
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'channel_message')).to.deep.equal([]);
    expect((await hub.http('GET', '/api/channels/ops/history', { token: null })).body.count).to.equal(1);
  });

  it('refuses a publish whose client_msg_id the sender first used for a broadcast, and publishes nothing', async () => {
    await createChannel('ops');
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await bob.ws.request({ type: 'channel_subscribe', channel: 'ops' }, 'channel_subscribed');
    await alice.ws.request({ type: 'message', to: 'broadcast', payload: { n: 1 }, client_msg_id: 'used-1' }, 'message_sent');
    await bob.ws.nextMessage('message');
    // The broadcast's answer has no seq: it used to come back as channel_published with seq null, which the compiled serializer wrote as 0.
    const refused = await alice.ws.request({ type: 'channel_publish', channel: 'ops', payload: { n: 2 }, client_msg_id: 'used-1' }, 'error');
    expect(refused).to.include({ error: 'client_msg_id_conflict', code: 'AC_ERR_CLIENT_MSG_ID_CONFLICT', message_type: 'channel_publish', channel: 'ops' });
    await expectConflictOverHttp('ops', alice.token, { n: 3 }, 'used-1');
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'channel_message')).to.deep.equal([]);
    expect((await hub.http('GET', '/api/channels/ops/history', { token: null })).body.count).to.equal(0);
  });

  it('refuses a publish reusing a client_msg_id first used for another channel or a direct message, and publishes nothing', async () => {
    await createChannel('ops');
    await createChannel('dev');
    const alice = await hub.connectAgent('alice');
    const bob = await hub.connectAgent('bob');
    await bob.ws.request({ type: 'channel_subscribe', channel: 'dev' }, 'channel_subscribed');
    const first = await alice.ws.request({ type: 'channel_publish', channel: 'ops', payload: { n: 1 }, client_msg_id: 'p-1' }, 'channel_published');
    await alice.ws.request({ type: 'message', to: 'bob', payload: { n: 2 }, client_msg_id: 'd-1' }, 'message_sent');
    await bob.ws.nextMessage('message');
    // Both used to be answered channel_published with the first send's answer (ops's seq 1; the direct message's mailbox seq).
    const otherChannel = await alice.ws.request({ type: 'channel_publish', channel: '#Dev', payload: { n: 3 }, client_msg_id: 'p-1' }, 'error');
    expect(otherChannel).to.include({ error: 'client_msg_id_conflict', code: 'AC_ERR_CLIENT_MSG_ID_CONFLICT', message_type: 'channel_publish', channel: '#Dev' });
    await expectConflictOverHttp('dev', alice.token, { n: 4 }, 'd-1');
    // A true retry still gets the first answer, under the channel's other spelling too.
    const retry = await alice.ws.request({ type: 'channel_publish', channel: '#OPS', payload: { n: 1 }, client_msg_id: 'p-1' }, 'channel_published');
    expect(retry).to.include({ id: first.id, seq: 1, duplicate: true });
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'channel_message')).to.deep.equal([]);
    expect((await hub.http('GET', '/api/channels/dev/history', { token: null })).body.count).to.equal(0);
    expect((await hub.http('GET', '/api/channels/ops/history', { token: null })).body.count).to.equal(1);
  });
});
