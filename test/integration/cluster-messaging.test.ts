// Messaging across two real hubs (engine jetstream) on one real nats-server, agents split
// between them over real sockets: direct messages, broadcasts, channels and presence reach
// the other hub; a mailbox lives in JetStream, so a message to an agent that is offline is
// delivered when it connects to either hub.
import { connect } from '@nats-io/transport-node';
import { expect } from 'chai';
import type { TestHub } from '../support/hub-harness.ts';
import { startTwoHubCluster, type TwoHubCluster } from '../support/two-hub-cluster.ts';
import { waitFor } from '../support/wait-for.ts';

describe('cluster: messaging across two hubs', function () {
  this.timeout(60_000);
  let cluster: TwoHubCluster;
  let a: TestHub;
  let b: TestHub;

  before(async () => {
    cluster = await startTwoHubCluster();
    ({ a, b } = cluster);
  });

  after(async () => {
    await cluster?.stop();
  });

  it("pushes a direct message from A's agent to B's agent, acked from B's mailbox", async () => {
    const alice = await a.connectAgent('alice');
    const bob = await b.connectAgent('bob');
    const sent = await alice.ws.request({ type: 'message', to: 'bob', payload: { text: 'across' }, client_msg_id: 'd-1' }, 'message_sent');
    const got = await bob.ws.nextMessage('message', 10_000);
    expect(got).to.include({ id: sent.id, seq: sent.seq, from: 'alice', to: 'bob' });
    expect(got.payload).to.deep.equal({ text: 'across' });
    // The same client id again, through either hub's view of the mailbox, is the first answer.
    const again = await alice.ws.request({ type: 'message', to: 'bob', payload: { text: 'across' }, client_msg_id: 'd-1' }, 'message_sent');
    expect(again).to.include({ id: sent.id, seq: sent.seq, duplicate: true });
    const onA = await a.http('GET', '/api/mailbox/bob');
    expect(onA.body.messages.map((m: { id: string }) => m.id)).to.deep.equal([sent.id]);
    const acked = await b.http('POST', '/api/mailbox/bob/ack', { body: { seq: sent.seq } });
    expect(acked.body).to.include({ count: 1 });
    expect((await a.http('GET', '/api/mailbox/bob')).body.messages).to.deep.equal([]);
    await alice.ws.close();
    await bob.ws.close();
  });

  it("refuses on B a send reusing a client_msg_id first used on A for another send; a retry on B gets A's answer", async () => {
    expect((await a.http('POST', '/api/channels', { body: { name: 'dup-ops' } })).status).to.equal(201);
    const amy = await a.connectAgent('amy');
    const first = await amy.ws.request({ type: 'message', to: 'bert', payload: { n: 1 }, client_msg_id: 'x-1' }, 'message_sent');
    const sends = [
      { path: '/api/message', body: { to: 'cleo', payload: { n: 2 }, client_msg_id: 'x-1' } },
      { path: '/api/message', body: { payload: { n: 3 }, client_msg_id: 'x-1' } },
      { path: '/api/channels/dup-ops/publish', body: { payload: { n: 4 }, client_msg_id: 'x-1' } },
    ];
    for (const { path, body } of sends) {
      const refused = await b.http('POST', path, { token: amy.token, body });
      expect(refused.status, `${path} ${JSON.stringify(refused.body)}`).to.equal(409);
      expect(refused.body.code).to.equal('AC_ERR_CLIENT_MSG_ID_CONFLICT');
    }
    const retry = await b.http('POST', '/api/message', { token: amy.token, body: { to: 'bert', payload: { n: 1 }, client_msg_id: 'x-1' } });
    expect(retry.body).to.include({ id: first.id, seq: first.seq, duplicate: true });
    expect((await b.http('GET', '/api/mailbox/cleo')).body.count).to.equal(0);
    expect((await b.http('GET', '/api/mailbox/bert')).body.count).to.equal(1);
    expect((await b.http('GET', '/api/channels/dup-ops/history', { token: null })).body.count).to.equal(0);
    await amy.ws.close();
  });

  it('delivers a message sent on A to an offline agent when it connects to B, in order', async () => {
    const sender = await a.connectAgent('sender');
    const first = await sender.ws.request({ type: 'message', to: 'carol', payload: { n: 1 } }, 'message_sent');
    const second = await sender.ws.request({ type: 'message', to: 'carol', payload: { n: 2 } }, 'message_sent');
    const carol = await b.connectAgent('carol');
    expect((await carol.ws.nextMessage('message', 10_000)).id).to.equal(first.id);
    expect((await carol.ws.nextMessage('message', 10_000)).id).to.equal(second.id);
    await sender.ws.close();
    await carol.ws.close();
  });

  it('fans a broadcast and a channel message out to agents on both hubs, never to the sender', async () => {
    const ann = await a.connectAgent('ann');
    const amos = await a.connectAgent('amos');
    const ben = await b.connectAgent('ben');
    await ben.ws.request({ type: 'message', payload: { hello: 'all' } }, 'message_sent');
    expect((await ann.ws.nextMessage('message', 10_000)).payload).to.deep.equal({ hello: 'all' });
    expect((await amos.ws.nextMessage('message', 10_000)).from).to.equal('ben');
    expect(ben.ws.pending().filter((frame) => frame.type === 'message')).to.deep.equal([]);

    const created = await a.http('POST', '/api/channels', { body: { name: '#reviews' } });
    expect(created.status).to.equal(201);
    await ben.ws.request({ type: 'channel_subscribe', channel: 'reviews' }, 'channel_subscribed');
    await amos.ws.request({ type: 'channel_subscribe', channel: 'reviews' }, 'channel_subscribed');
    await ann.ws.request({ type: 'channel_subscribe', channel: 'reviews' }, 'channel_subscribed');
    const published = await ann.ws.request({ type: 'channel_publish', channel: 'reviews', payload: { pr: 42 } }, 'channel_published');
    expect(published.seq).to.equal(1);
    for (const listener of [ben, amos]) {
      expect(await listener.ws.nextMessage('channel_message', 10_000)).to.include({ channel: 'reviews', seq: 1, id: published.id, from: 'ann' });
    }
    const second = await ben.ws.request({ type: 'channel_publish', channel: 'reviews', payload: { pr: 43 } }, 'channel_published');
    expect(second.seq).to.equal(2);
    expect((await ann.ws.nextMessage('channel_message', 10_000)).seq).to.equal(2);
    // Subscribed over A's HTTP while its socket is on B: B's socket joins the channel at once.
    const hermit = await b.connectAgent('hermit');
    const joined = await a.http('POST', '/api/channels/reviews/subscribe', { body: { agent_id: 'hermit' } });
    expect(joined.status).to.equal(200);
    await waitFor(async () => {
      await ann.ws.request({ type: 'channel_publish', channel: 'reviews', payload: { ping: true } }, 'channel_published');
      return hermit.ws.pending().some((frame) => frame.type === 'channel_message');
    }, 10_000, "hermit's socket on B gets the channel's messages");
    const history = await b.http('GET', '/api/channels/reviews/history');
    expect(history.body.messages.slice(0, 2).map((m: { seq: number }) => m.seq)).to.deep.equal([1, 2]);
    const detail = await b.http('GET', '/api/channels/reviews');
    expect(detail.body.subscribers).to.have.members(['ann', 'amos', 'ben', 'hermit']);
    for (const client of [ann, amos, ben, hermit]) await client.ws.close();
  });

  it("shows B's agent joining on A (presence frame and the agent list with its hub)", async () => {
    const watcher = await a.connectAgent('watcher');
    await b.connectAgent('newcomer');
    const joined = await watcher.ws.nextMessage('agent_joined', 10_000);
    expect(joined.agent).to.include({ agent_id: 'newcomer' });
    await waitFor(async () => {
      const listed = (await a.http('GET', '/api/agents')).body.agents as Array<{ agent_id: string; hub?: string }>;
      return listed.some((agent) => agent.agent_id === 'newcomer' && agent.hub === 'hub-b');
    }, 10_000, "A lists B's agent with its hub");
  });

  it('refuses malformed relay frames on the subject (nothing reaches an agent) and takes a valid one', async () => {
    const listener = await a.connectAgent('listener');
    const raw = await connect({ servers: [cluster.node.url] });
    try {
      raw.publish('agentcom.relay', 'not json');
      raw.publish('agentcom.relay', JSON.stringify({ kind: 'topic', hub: 'hub-x', topic: 'broadcast', frame: { payload: { forged: true } } }));
      raw.publish('agentcom.relay', JSON.stringify({ kind: 'mail', hub: 'hub-x', to: 'listener', seq: -1 }));
      // A message frame missing its id, sender and time is refused as well: only whole agent frames (web/protocol) reach agents.
      raw.publish('agentcom.relay', JSON.stringify({ kind: 'topic', hub: 'hub-x', topic: 'broadcast', frame: { type: 'message', payload: { partial: true } } }));
      raw.publish('agentcom.relay', JSON.stringify({
        kind: 'topic', hub: 'hub-x', topic: 'broadcast',
        frame: { type: 'message', id: '0123456789abcdef', from: 'elsewhere', to: 'broadcast', message_type: 'chat', payload: { ok: true }, reply_to: null, timestamp: Date.now() },
      }));
      await raw.flush();
    } finally {
      await raw.close();
    }
    const got = await listener.ws.nextMessage('message', 10_000);
    expect(got.payload).to.deep.equal({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.ws.pending().filter((frame) => frame.type === 'message')).to.deep.equal([]);
    await listener.ws.close();
  });
});
