import { expect } from 'chai';
import { Writable } from 'node:stream';
import { startHub, type RunningHub } from '../../runtime/boot.ts';
import { resolveConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { WsTestClient } from '../support/ws-client.ts';

const adminToken = 'a'.repeat(64);

/** A hub on a data folder that outlives it, so a second start reads what the first wrote. */
async function startOn(dir: TempDir): Promise<RunningHub> {
  const config = resolveConfig({ host: '127.0.0.1', port: 0, data_dir: dir.path, log_level: 'error' });
  if (!config.ok) throw new Error(config.detail);
  const logger = createLogger('error', new Writable({ write: (_chunk, _encoding, done) => done() }));
  return startHub({ config: config.value, logger, adminToken });
}

async function http(running: RunningHub, method: string, path: string, body?: unknown, token = adminToken) {
  const response = await fetch(`${running.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function identify(running: RunningHub, agentId: string, token: string): Promise<WsTestClient> {
  const ws = await WsTestClient.connect(`ws://127.0.0.1:${running.port}/ws`);
  await ws.request({ type: 'identify', agent_id: agentId, token }, 'identified');
  return ws;
}

describe('messaging: a hub restart', () => {
  let dir: TempDir;
  const sockets: WsTestClient[] = [];

  beforeEach(() => {
    dir = makeTempDir('messaging-restart');
  });

  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.socket.terminate();
    dir.remove();
  });

  it('keeps mailboxes, channels, subscriptions, history, retention and client ids', async () => {
    const first = await startOn(dir);
    const alice = (await http(first, 'POST', '/api/onboard/register', { agent_id: 'alice' })).body.token as string;
    const bob = (await http(first, 'POST', '/api/onboard/register', { agent_id: 'bob' })).body.token as string;
    await http(first, 'POST', '/api/channels', { name: 'ops', description: 'operations' });
    await http(first, 'POST', '/api/channels/ops/subscribe', {}, bob);
    await http(first, 'PUT', '/api/config/mailbox-retention', { mailbox_ttl_ms: 3_600_000, mailbox_cap: 50 });
    const sent = await http(first, 'POST', '/api/message', { to: 'bob', payload: { n: 1 }, client_msg_id: 'm-1' }, alice);
    const posted = await http(first, 'POST', '/api/channels/ops/publish', { payload: { n: 2 } }, alice);
    expect(posted.body.seq).to.equal(1);
    await first.stop();

    const second = await startOn(dir);
    try {
      const mailbox = await http(second, 'GET', '/api/mailbox/bob', undefined, bob);
      expect(mailbox.body.messages.map((m: { id: string }) => m.id)).to.deep.equal([sent.body.id]);
      expect((await http(second, 'GET', '/api/channels/ops')).body).to.include({ description: 'operations', subscriber_count: 1, last_seq: 1 });
      expect((await http(second, 'GET', '/api/channels/ops/history')).body.messages[0].id).to.equal(posted.body.id);
      expect((await http(second, 'GET', '/api/subscriptions/bob')).body.channels).to.deep.equal(['ops']);
      expect((await http(second, 'GET', '/api/config/mailbox-retention')).body.mailbox_cap).to.equal(50);
      const retried = await http(second, 'POST', '/api/message', { to: 'bob', payload: { n: 1 }, client_msg_id: 'm-1' }, alice);
      expect(retried.body).to.include({ id: sent.body.id, duplicate: true });

      // The stored message is pushed at identify; the restored subscription receives new publishes.
      const bobWs = await identify(second, 'bob', bob);
      sockets.push(bobWs);
      expect((await bobWs.nextMessage('message')).id).to.equal(sent.body.id);
      const aliceWs = await identify(second, 'alice', alice);
      sockets.push(aliceWs);
      const next = await aliceWs.request({ type: 'channel_publish', channel: 'ops', payload: { n: 3 } }, 'channel_published');
      expect(next.seq).to.equal(2);
      expect(await bobWs.nextMessage('channel_message')).to.include({ seq: 2, from: 'alice' });
      const direct = await aliceWs.request({ type: 'message', to: 'bob', payload: { n: 4 } }, 'message_sent');
      expect(direct.seq).to.be.greaterThan(sent.body.seq);
      expect((await bobWs.nextMessage('message')).id).to.equal(direct.id);
    } finally {
      await second.stop();
    }
  });
});
