import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('messaging: mailbox cursor, ack, access and retention', () => {
  let hub: TestHub;
  let aliceToken: string;
  let bobToken: string;

  beforeEach(async () => {
    hub = await startTestHub();
    aliceToken = await hub.register('alice');
    bobToken = await hub.register('bob');
  });

  afterEach(async () => {
    await hub.stop();
  });

  const sendToBob = async (n: number) => {
    const sent = await hub.http('POST', '/api/message', { token: aliceToken, body: { to: 'bob', payload: { n } } });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    return sent.body as { id: string; seq: number };
  };
  const payloads = (body: { messages: Array<{ payload: { n: number } }> }) => body.messages.map((m) => m.payload.n);

  it('pages the mailbox with since and limit, and last_seq is the next cursor', async () => {
    for (let n = 1; n <= 5; n++) await sendToBob(n);
    const first = await hub.http('GET', '/api/mailbox/bob?limit=2', { token: bobToken });
    expect(first.status).to.equal(200);
    expect(first.body).to.include({ agent_id: 'bob', count: 2 });
    expect(payloads(first.body)).to.deep.equal([1, 2]);
    expect(first.body.messages[0]).to.include({ from: 'alice', to: 'bob', message_type: 'chat' });
    const rest = await hub.http('GET', `/api/mailbox/bob?since=${first.body.last_seq}`, { token: bobToken });
    expect(payloads(rest.body)).to.deep.equal([3, 4, 5]);
    const none = await hub.http('GET', `/api/mailbox/bob?since=${rest.body.last_seq}`, { token: bobToken });
    expect(none.body).to.include({ count: 0, last_seq: rest.body.last_seq });
  });

  it('removes everything up to the acked seq', async () => {
    const sent = [];
    for (let n = 1; n <= 4; n++) sent.push(await sendToBob(n));
    const acked = await hub.http('POST', '/api/mailbox/bob/ack', { token: bobToken, body: { seq: sent[1]!.seq } });
    expect(acked.body).to.deep.equal({ status: 'acked', up_to: sent[1]!.seq, count: 2 });
    expect(payloads((await hub.http('GET', '/api/mailbox/bob', { token: bobToken })).body)).to.deep.equal([3, 4]);
    // Acked messages are not pushed at the next identify either.
    const bob = await hub.connectAgent('bob', { token: bobToken });
    expect((await bob.ws.nextMessage('message')).payload).to.deep.equal({ n: 3 });
    expect((await bob.ws.nextMessage('message')).payload).to.deep.equal({ n: 4 });
  });

  it('lets an agent read and ack only its own mailbox; an admin reads any; ?token= works', async () => {
    await sendToBob(1);
    const peek = await hub.http('GET', '/api/mailbox/bob', { token: aliceToken });
    expect(peek.status).to.equal(403);
    expect(peek.body).to.include({ error: 'forbidden', code: 'AC_ERR_NOT_OWN_MAILBOX' });
    const ack = await hub.http('POST', '/api/mailbox/bob/ack', { token: aliceToken, body: { seq: 99 } });
    expect(ack.status).to.equal(403);
    expect((await hub.http('GET', '/api/mailbox/bob', { token: null })).status).to.equal(401);
    expect((await hub.http('GET', '/api/mailbox/bob')).body.count).to.equal(1);
    const viaQuery = await hub.http('GET', `/api/mailbox/bob?token=${bobToken}`, { token: null });
    expect(viaQuery.body.count).to.equal(1);
  });

  it('reports a bad cursor or ack body as validation_failed', async () => {
    expect((await hub.http('GET', '/api/mailbox/bob?since=-1', { token: bobToken })).status).to.equal(422);
    const ack = await hub.http('POST', '/api/mailbox/bob/ack', { token: bobToken, body: { seq: 'all' } });
    expect(ack.status).to.equal(422);
    expect(ack.body.errors[0]).to.include({ field: 'seq', error: 'wrong_type' });
  });

  it('serves and changes retention at runtime, persisted, admin only for changes', async () => {
    const defaults = await hub.http('GET', `/api/config/mailbox-retention?token=${bobToken}`, { token: null });
    expect(defaults.body).to.deep.equal({ mailbox_ttl_ms: 604_800_000, mailbox_cap: 100, channel_history_cap: 200 });
    expect((await hub.http('PUT', '/api/config/mailbox-retention', { token: bobToken, body: { mailbox_ttl_ms: 5 } })).status).to.equal(403);
    const set = await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 60_000, mailbox_cap: 3 } });
    expect(set.body).to.deep.equal({ mailbox_ttl_ms: 60_000, mailbox_cap: 3, channel_history_cap: 200, status: 'updated' });
    expect((await hub.http('GET', '/api/config/mailbox-retention')).body.mailbox_cap).to.equal(3);
    expect((await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_cap: 3 } })).status).to.equal(422);
  });

  it('evicts an offline agent\'s oldest messages past the cap, and a lowered cap applies at once', async () => {
    for (let n = 1; n <= 6; n++) await sendToBob(n);
    await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 60_000, mailbox_cap: 4 } });
    expect(payloads((await hub.http('GET', '/api/mailbox/bob')).body)).to.deep.equal([3, 4, 5, 6]);
    await sendToBob(7);
    expect(payloads((await hub.http('GET', '/api/mailbox/bob')).body)).to.deep.equal([4, 5, 6, 7]);
  });

  it('evicts messages older than the TTL', async () => {
    await sendToBob(1);
    // Message 2 must still be younger than the TTL when read back: 150 ms was too short under CI load.
    await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 2_000 } });
    await sleep(2_100);
    await sendToBob(2);
    expect(payloads((await hub.http('GET', '/api/mailbox/bob')).body)).to.deep.equal([2]);
    const bob = await hub.connectAgent('bob', { token: bobToken });
    expect((await bob.ws.nextMessage('message')).payload).to.deep.equal({ n: 2 });
    await sleep(100);
    expect(bob.ws.pending().filter((f) => f.type === 'message')).to.deep.equal([]);
    // Raising the TTL again does not bring the expired message back: the change swept it.
    await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 60_000 } });
    await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 3_600_000 } });
    expect(payloads((await hub.http('GET', '/api/mailbox/bob')).body)).to.deep.equal([2]);
  });

  it('pushes a mailbox larger than the socket buffer at identify without overflowing it', async () => {
    await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 60_000, mailbox_cap: 1000 } });
    const text = 'x'.repeat(60_000);
    const count = 200;
    const alice = await hub.connectAgent('alice', { token: aliceToken });
    const answers = [];
    for (let n = 0; n < count; n++) answers.push(alice.ws.nextMessage('message_sent'));
    for (let n = 0; n < count; n++) alice.ws.send({ type: 'message', to: 'bob', payload: { n, text } });
    await Promise.all(answers);
    const bob = await hub.connectAgent('bob', { token: bobToken });
    for (let n = 0; n < count; n++) expect(((await bob.ws.nextMessage('message')).payload as { n: number }).n).to.equal(n);
    expect(bob.ws.isClosed).to.equal(false);
  });

  it('never lets the cap evict what a connected agent has not been pushed yet', async () => {
    await hub.http('PUT', '/api/config/mailbox-retention', { body: { mailbox_ttl_ms: 60_000, mailbox_cap: 5 } });
    const alice = await hub.connectAgent('alice', { token: aliceToken });
    const bob = await hub.connectAgent('bob', { token: bobToken });
    const answers = [];
    for (let n = 0; n < 50; n++) answers.push(alice.ws.nextMessage('message_sent'));
    for (let n = 0; n < 50; n++) alice.ws.send({ type: 'message', to: 'bob', payload: { n } });
    await Promise.all(answers);
    const got: number[] = [];
    for (let n = 0; n < 50; n++) got.push(((await bob.ws.nextMessage('message')).payload as { n: number }).n);
    expect(got).to.deep.equal([...Array(50).keys()]);
  });
});
