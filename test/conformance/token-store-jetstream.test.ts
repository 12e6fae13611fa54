// The token store behaviour on JetStream KV: one real nats-server for the file, a fresh
// bucket prefix per test; then two stores on one bucket, as two hubs of a cluster see it.
import { expect } from 'chai';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { JetStreamTokenStore } from '../../storage/jetstream/jetstream-token-store.ts';
import type { TokenStore } from '../../storage/token-store.ts';
import { startNatsNode, type NatsNode } from '../support/nats-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { tokenStoreBehaviour } from './token-store-behaviour.ts';

describe('Token store conformance: JetStream', function () {
  this.timeout(30_000);
  let node: NatsNode;
  let connection: NatsConnection;
  let prefix = '';
  let tests = 0;

  before(async () => {
    node = await startNatsNode();
    connection = await connect({ servers: node.url });
  });

  after(async () => {
    await connection?.close();
    await node?.stop();
  });

  tokenStoreBehaviour({
    openFresh: async (now) => {
      prefix = `tokens${++tests}`;
      return JetStreamTokenStore.open(connection, { prefix, now });
    },
    openAgain: () => JetStreamTokenStore.open(connection, { prefix }),
    storedText: async () => {
      const bucket = await new Kvm(jetstream(connection)).open(`${prefix}_tokens`);
      const values: string[] = [];
      for await (const key of await bucket.keys()) values.push(key, (await bucket.get(key))?.string() ?? '');
      return values.join('\n');
    },
    close: (store) => store.close(),
  });

  describe('two hubs on one bucket', () => {
    let a: TokenStore;
    let b: TokenStore;
    let other: NatsConnection;

    beforeEach(async () => {
      prefix = `twohubs${++tests}`;
      other = await connect({ servers: node.url });
      [a, b] = [await JetStreamTokenStore.open(connection, { prefix }), await JetStreamTokenStore.open(other, { prefix })];
    });

    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
      await other.close();
    });

    it('verifies on hub B a token created on hub A, and lists it there', async () => {
      const { token } = await a.create({ scope: 'agent', agentId: 'roamer', name: 'roamer' });
      await waitFor(async () => b.verify(token) !== null, 5_000, 'hub B knows the token');
      expect(b.verify(token)).to.deep.equal({ scope: 'agent', agentId: 'roamer', name: 'roamer' });
      expect(b.hasAgent('roamer')).to.equal(true);
      expect(b.list().map((record) => record.agent_id)).to.deep.equal(['roamer']);
    });

    it('verifies on hub B, when asked as the store stands, a token hub A made while B\'s view had not heard of it', async () => {
      // A feed that delivers nothing for now (as while it stalls on a lost node): B's view lags for certain.
      await (b as unknown as { feed: { stop(): Promise<void> } }).feed.stop();
      const { token } = await a.create({ scope: 'agent', agentId: 'roamer', name: 'roamer' });
      expect(b.verify(token)).to.equal(null);
      expect(await b.verifyCurrent(token)).to.deep.equal({ scope: 'agent', agentId: 'roamer', name: 'roamer' });
      // Taken into the view: the next check is synchronous again.
      expect(b.verify(token)).to.deep.equal({ scope: 'agent', agentId: 'roamer', name: 'roamer' });
      expect(await b.verifyCurrent('f'.repeat(64))).to.equal(null);
      expect(await b.verifyCurrent('not a token')).to.equal(null);
    });

    it('keeps a token revoked on hub B refused when asked as the store stands', async () => {
      const { token } = await a.create({ scope: 'agent', agentId: 'leaver', name: 'leaver' });
      expect(await b.verifyCurrent(token)).to.not.equal(null);
      expect(await b.revokeAgent('leaver')).to.equal(1);
      expect(await b.verifyCurrent(token)).to.equal(null);
      await waitFor(async () => a.verify(token) === null, 5_000, 'hub A refuses the revoked token');
      expect(await a.verifyCurrent(token)).to.equal(null);
    });

    it('refuses on both hubs a token revoked on one, and tells only the other hub of the revocation', async () => {
      const heard = { a: [] as string[], b: [] as string[] };
      a.onRevokedElsewhere((agentId) => heard.a.push(agentId));
      b.onRevokedElsewhere((agentId) => heard.b.push(agentId));
      const { token } = await a.create({ scope: 'agent', agentId: 'leaver', name: 'leaver' });
      const kept = await a.create({ scope: 'agent', agentId: 'stayer', name: 'stayer' });
      await waitFor(async () => b.verify(token) !== null && b.verify(kept.token) !== null, 5_000, 'hub B knows both tokens');

      expect(await b.revokeAgent('leaver')).to.equal(1);
      expect(b.verify(token)).to.equal(null);
      await waitFor(async () => a.verify(token) === null, 5_000, 'hub A refuses the revoked token');
      expect(a.hasAgent('leaver')).to.equal(false);
      expect(a.verify(kept.token)).to.deep.include({ agentId: 'stayer' });
      expect(heard).to.deep.equal({ a: ['leaver'], b: [] });
    });

    it('does not bring back a revoked token when a third hub opens the bucket afterwards', async () => {
      const { token } = await a.create({ scope: 'admin', name: 'ops' });
      await a.create({ scope: 'agent', agentId: 'gone', name: 'gone' });
      await a.revokeAgent('gone');
      const late = await JetStreamTokenStore.open(connection, { prefix });
      try {
        expect(late.list().map((record) => record.name)).to.deep.equal(['ops']);
        expect(late.verify(token)).to.deep.include({ scope: 'admin' });
      } finally {
        await late.close();
      }
    });
  });
});
