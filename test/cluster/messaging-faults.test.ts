// Messaging across hubs under faults, on a 3-node loopback cluster (R3 streams and buckets):
// direct and channel messages keep being sent through hub A while A is killed with kill -9 and
// then one NATS node is; every message whose sender was told "sent" (message_sent /
// channel_published) is delivered, once and in order, to an agent that connects to hub B
// afterwards, and stays in the channel's history. Slow: run with `npm run test:cluster`.
import { expect } from 'chai';
import { callClusterHub, startClusterHub, stopClusterHubs, type ClusterHub } from '../support/cluster-hub-process.ts';
import { startNatsCluster, type NatsCluster } from '../support/nats-server.ts';
import { WsTestClient } from '../support/ws-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type RunningHub = ClusterHub;
/** Mailbox and channel caps for the test, and the most sends it makes: no acknowledged message is evicted. */
const roomy = 1000;

describe('cluster: messages acknowledged on a hub that is killed', function () {
  this.timeout(240_000);
  let cluster: NatsCluster;
  const hubs: RunningHub[] = [];
  const sockets: WsTestClient[] = [];

  async function startHub(name: string): Promise<RunningHub> {
    const hub = await startClusterHub(cluster.urls, name, { hub_lease_ms: 1500 });
    hubs.push(hub);
    return hub;
  }

  const call = callClusterHub;

  async function connect(hub: RunningHub, agentId: string): Promise<WsTestClient> {
    // Tokens live in the cluster: right after a node loss the bucket may be electing a leader, and a client retries.
    let made = await call(hub, 'POST', '/api/onboard/register', { agent_id: agentId });
    for (let attempt = 0; made.status !== 201 && attempt < 40; attempt++) {
      await sleep(500);
      made = await call(hub, 'POST', '/api/onboard/register', { agent_id: agentId });
    }
    const ws = await WsTestClient.connect(`${hub.url.replace(/^http/, 'ws')}/ws`);
    sockets.push(ws);
    await ws.request({ type: 'identify', agent_id: agentId, token: made.body.token, capabilities: [], protocol_version: 1 }, 'identified');
    return ws;
  }

  before(async () => {
    cluster = await startNatsCluster(3);
  });

  after(async () => {
    for (const ws of sockets) ws.socket.terminate();
    await stopClusterHubs(hubs);
    await cluster?.stop();
  });

  it('delivers every acknowledged direct message once, in order, to the receiver on hub B, and keeps every acknowledged channel message', async () => {
    const a = await startHub('hub-a');
    const b = await startHub('hub-b');
    // The sender runs flat out for 1.5 s, to an agent that is offline until the end: past the
    // default caps (100 per mailbox, 200 per channel, docs/api.md "Retention") the oldest would
    // rightly be evicted, and this test is about faults, not caps. Each hub applies its own
    // settings (its data dir): A's cap at a send, B's in its sweep.
    for (const hub of [a, b]) {
      const retention = { mailbox_ttl_ms: 7 * 24 * 3600_000, mailbox_cap: roomy, channel_history_cap: roomy };
      expect((await call(hub, 'PUT', '/api/config/mailbox-retention', retention)).status).to.equal(200);
    }
    expect((await call(a, 'POST', '/api/channels', { name: 'faults' })).status).to.equal(201);
    const sender = await connect(a, 'sender');
    const acked: Array<{ id: string; seq: number }> = [];
    const published: number[] = [];
    let stop = false;
    // One send at a time, as a careful client does; each is counted only once acknowledged.
    const sending = (async () => {
      for (let n = 0; !stop && n < roomy; n++) {
        try {
          const sent = await sender.request({ type: 'message', to: 'receiver', payload: { n }, client_msg_id: `m-${n}` }, 'message_sent', 3000);
          acked.push({ id: sent.id as string, seq: sent.seq as number });
          const post = await sender.request({ type: 'channel_publish', channel: 'faults', payload: { n } }, 'channel_published', 3000);
          published.push(post.seq as number);
        } catch {
          return;
        }
      }
    })();
    await sleep(1500);
    a.process.kill('SIGKILL');
    await a.process.exited();
    stop = true;
    await sending;
    await cluster.nodes[0].kill();
    expect(acked.length).to.be.greaterThan(5);

    const receiver = await connect(b, 'receiver');
    const got: Array<{ id: string; seq: number }> = [];
    while (got.length < acked.length) {
      const frame = await receiver.nextMessage('message', 20_000);
      got.push({ id: frame.id as string, seq: frame.seq as number });
    }
    // All acknowledged ones, in seq order; a send whose ack was lost with hub A may come on top.
    expect(got.slice(0, acked.length)).to.deep.equal(acked);
    const seqs = got.map((message) => message.seq);
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    await sleep(300);
    expect(receiver.pending().filter((frame) => frame.type === 'message').length).to.be.at.most(1);

    // A read may find the stream electing a leader after the node loss (AC_ERR_STORAGE): a client retries.
    let history = await call(b, 'GET', '/api/channels/faults/history?limit=1000');
    for (let attempt = 0; history.status !== 200 && attempt < 40; attempt++) {
      await sleep(500);
      history = await call(b, 'GET', '/api/channels/faults/history?limit=1000');
    }
    expect(history.status).to.equal(200);
    const kept = new Set(history.body.messages.map((message: { seq: number }) => message.seq));
    for (const seq of published) expect(kept.has(seq), `channel seq ${seq}`).to.equal(true);
  });
});
