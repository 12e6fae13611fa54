// Tokens across two real hubs (engine jetstream) on one real nats-server: an agent
// registered on hub A identifies on hub B with the same token, and a revocation on either
// hub is refused by both and closes the agent's socket wherever it is connected.
import { expect } from 'chai';
import type { TestHub } from '../support/hub-harness.ts';
import { startTwoHubCluster, type TwoHubCluster } from '../support/two-hub-cluster.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient } from '../support/ws-client.ts';

describe('cluster: tokens shared by every hub', function () {
  this.timeout(60_000);
  let cluster: TwoHubCluster;
  let a: TestHub;
  let b: TestHub;
  const sockets: WsTestClient[] = [];

  beforeEach(async () => {
    cluster = await startTwoHubCluster();
    ({ a, b } = cluster);
  });

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.socket.terminate();
    await cluster?.stop();
  });

  async function identify(hub: TestHub, agentId: string, token: string) {
    const ws = await WsTestClient.connect(hub.wsUrl);
    sockets.push(ws);
    ws.send({ type: 'identify', agent_id: agentId, token, capabilities: [], protocol_version: 1 });
    return { ws, reply: await ws.nextMessage(undefined, 5_000) };
  }

  it('identifies on hub B with a token registered on hub A, and lists it on both', async () => {
    const token = await a.register('roamer');
    const onB = await identify(b, 'roamer', token);
    expect(onB.reply).to.include({ type: 'identified', agent_id: 'roamer' });
    const onA = await identify(a, 'roamer', token);
    expect(onA.reply).to.include({ type: 'identified', agent_id: 'roamer' });
    for (const hub of [a, b]) {
      const listed = await hub.http('GET', '/api/admin/tokens');
      expect(listed.body.tokens.map((info: { agent_id: string | null }) => info.agent_id)).to.include('roamer');
    }
    // Registered once for the whole cluster: hub B refuses a second registration of the name.
    const again = await b.http('POST', '/api/onboard/register', { body: { agent_id: 'roamer' } });
    expect(again.body.code).to.equal('AC_ERR_AGENT_ALREADY_REGISTERED');
  });

  it('refuses a token revoked on hub A on both hubs, and closes its socket on hub B', async () => {
    const token = await a.register('leaver');
    const connected = await identify(b, 'leaver', token);
    expect(connected.reply.type).to.equal('identified');

    const revoked = await a.http('DELETE', '/api/admin/tokens/leaver');
    expect(revoked.body).to.include({ status: 'revoked', count: 1 });
    const closed = await connected.ws.closed;
    expect(closed.code).to.equal(4001);

    for (const hub of [a, b]) {
      const refused = await identify(hub, 'leaver', token);
      expect(refused.reply).to.include({ type: 'error', code: 'AC_ERR_UNAUTHORIZED' });
      const http = await hub.http('GET', '/api/tasks', { token });
      expect(http.status).to.equal(401);
    }
    await waitFor(async () => {
      const agents = (await b.http('GET', '/api/agents')).body;
      return !JSON.stringify(agents).includes('"leaver"');
    }, 5_000, 'hub B no longer lists the revoked agent');
  });
});
