// The messaging engine behaviour on JetStream: one real nats-server with JetStream on a free
// port and a temp store dir for the whole file, fresh streams and buckets (a new prefix) per test.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expect } from 'chai';
import type { Result } from '../../storage/domain/errors.ts';
import { JetStreamMessaging } from '../../storage/jetstream/jetstream-messaging.ts';
import type { Accepted } from '../../storage/stored-message.ts';
import { startNatsNode, type NatsNode } from '../support/nats-server.ts';
import { messagingEngineBehaviour } from './messaging-engine-behaviour.ts';

describe('Messaging engine conformance: JetStream', function () {
  this.timeout(30_000);
  let node: NatsNode;
  let connection: NatsConnection;
  let prefix = '';
  let tests = 0;

  before(async () => {
    node = await startNatsNode();
    connection = await connect({ servers: [node.url] });
  });

  after(async () => {
    await connection?.close();
    await node?.stop();
  });

  const open = (claimWaitMs?: number) => JetStreamMessaging.open({ connection, hubName: 'conformance', prefix, claimWaitMs });
  // The bucket and key as jetstream-messaging.ts names them: `<sender>.<client id>`, base64url.
  const clientIdRecord = async (sender: string, clientMsgId: string) => {
    const bucket = await new Kvm(jetstream(connection)).open(`${prefix}_client_ids`);
    const token = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    return { bucket, key: `${token(sender)}.${token(clientMsgId)}` };
  };
  messagingEngineBehaviour({
    openFresh: async () => {
      prefix = `messaging${++tests}`;
      return open();
    },
    openAgain: () => open(),
    discard: async () => {},
    rememberAsOlderHub: async (sender, clientMsgId, answer) => {
      const { bucket, key } = await clientIdRecord(sender, clientMsgId);
      await bucket.put(key, JSON.stringify(answer));
    },
  });

  // The stream's msg id (the client id) is stream-wide: a hub that stored a direct message and died
  // before remembering its client id leaves JetStream to recognise the retry, whatever its recipient.
  describe('a direct message JetStream deduplicated by msg id, its client id not remembered', () => {
    const message = (n: number) => ({ from: 'alice', message_type: 'chat', payload: { n }, reply_to: null });
    const keepAll = { maxMessages: 100, evictableUpToSeq: Infinity };

    it('refuses one to another agent and stores nothing; a retry to the first gets its answer', async () => {
      const engine = await open();
      try {
        const first = await engine.appendMail('bob', message(1), 'm-1', keepAll, 1);
        if (!first.ok) throw new Error(first.detail);
        const { bucket, key } = await clientIdRecord('alice', 'm-1');
        await bucket.purge(key);
        const toCarol = await engine.appendMail('carol', message(2), 'm-1', keepAll, 2);
        expect(toCarol.ok ? 'ok' : toCarol.code).to.equal('AC_ERR_CLIENT_MSG_ID_CONFLICT');
        expect(await engine.readMail('carol', { sinceSeq: 0, limit: 10, notBefore: 0 })).to.deep.equal([]);
        const retry = await engine.appendMail('bob', message(1), 'm-1', keepAll, 3);
        expect(retry.ok && retry.value).to.deep.equal({ ...first.value, duplicate: true });
      } finally {
        await engine.close();
      }
    });
  });

  // Each send claims its client id before it publishes: of concurrent sends with one (sender, id),
  // on one hub or on two sharing the JetStream, exactly one publishes and the others get its answer.
  describe('one client id sent concurrently', () => {
    const message = (n: number) => ({ from: 'alice', message_type: 'chat', payload: { n }, reply_to: null });
    const answers = (results: Array<Result<Accepted>>) => results.map((result) => {
      if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
      return result.value;
    });
    const sameAnswer = (accepted: Accepted[]) => {
      expect(accepted.filter((one) => !one.duplicate)).to.have.length(1);
      const first = accepted.find((one) => !one.duplicate)!;
      for (const one of accepted) expect({ ...one, duplicate: false }).to.deep.equal(first);
    };
    let engines: Array<JetStreamMessaging<never>> = [];
    let other: NatsConnection | null = null;

    beforeEach(async () => {
      prefix = `concurrent${++tests}`;
      engines = [await open()];
      const created = await engines[0].createChannel('ops', '', null, 1);
      if (!created.ok) throw new Error(created.detail);
    });

    afterEach(async () => {
      for (const engine of engines) await engine.close();
      await other?.close();
      other = null;
    });

    it('publishes a channel message once on one hub; every caller gets its answer', async () => {
      const [engine] = engines;
      const results = await Promise.all([1, 2, 3, 4].map(() => engine.publishChannel('ops', message(1), 'p-1', 100, 2)));
      sameAnswer(answers(results));
      const history = await engine.history('ops', 0, 100);
      expect(history.ok && history.value.length).to.equal(1);
    });

    it('publishes a channel message once across two hubs; both callers get its answer', async () => {
      other = await connect({ servers: [node.url] });
      engines.push(await JetStreamMessaging.open({ connection: other, hubName: 'other', prefix }));
      const results = await Promise.all([0, 1, 0, 1].map((hub) => engines[hub].publishChannel('ops', message(1), 'p-1', 100, 2)));
      sameAnswer(answers(results));
      for (const engine of engines) {
        const history = await engine.history('ops', 0, 100);
        expect(history.ok && history.value.length).to.equal(1);
      }
    });

    it('lets one of a publish and a broadcast with one id through; the other is refused', async () => {
      const [engine] = engines;
      const fresh = { id: '0123456789abcdef', seq: null, timestamp: 2, duplicate: false };
      const [published, broadcast] = await Promise.all([
        engine.publishChannel('ops', message(1), 'p-1', 100, 2),
        engine.acceptOnce('alice', 'p-1', 'broadcast', fresh),
      ]);
      expect([published, broadcast].map((one) => (one.ok ? 'ok' : one.code)).sort()).to.deep.equal(['AC_ERR_CLIENT_MSG_ID_CONFLICT', 'ok']);
      const history = await engine.history('ops', 0, 100);
      expect(history.ok && history.value.length).to.equal(published.ok ? 1 : 0);
    });

    it('leaves the id free when the publish after the claim fails, so a retry sends', async () => {
      const [engine] = engines;
      const historyStream = `${prefix}_history`;
      const jsm = await jetstreamManager(connection);
      const { config } = await jsm.streams.info(historyStream);
      await jsm.streams.update(historyStream, { ...config, max_msg_size: 64 });
      const failed = await engine.publishChannel('ops', message(1), 'p-1', 100, 2);
      expect(failed.ok ? 'ok' : failed.code).to.equal('AC_ERR_STORAGE');
      const { bucket, key } = await clientIdRecord('alice', 'p-1');
      expect((await bucket.get(key))?.operation ?? 'none').to.not.equal('PUT');
      await jsm.streams.update(historyStream, { ...config, max_msg_size: -1 });
      const retry = await engine.publishChannel('ops', message(1), 'p-1', 100, 3);
      expect(retry.ok && retry.value.duplicate).to.equal(false);
      const history = await engine.history('ops', 0, 100);
      expect(history.ok && history.value.map((one) => one.id)).to.deep.equal([retry.ok && retry.value.id]);
    });

    it('sends a direct message once across two hubs; both callers get its answer', async () => {
      other = await connect({ servers: [node.url] });
      engines.push(await JetStreamMessaging.open({ connection: other, hubName: 'other', prefix }));
      const keepAll = { maxMessages: 100, evictableUpToSeq: Infinity };
      const results = await Promise.all([0, 1, 0, 1].map((hub) => engines[hub].appendMail('bob', message(1), 'd-1', keepAll, 2)));
      sameAnswer(answers(results));
      expect(await engines[1].readMail('bob', { sinceSeq: 0, limit: 10, notBefore: 0 })).to.have.length(1);
    });

    it('sends, waiting for a claim to the same send, once that claim is released (its publish failed)', async () => {
      engines.push(await open(60_000));
      const { bucket, key } = await clientIdRecord('alice', 'p-1');
      const revision = await bucket.put(key, JSON.stringify({ claimed: true, send: 'channel:ops', timestamp: 1 }));
      const waiting = engines[1].publishChannel('ops', message(1), 'p-1', 100, 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await bucket.delete(key, { previousSeq: revision });
      const published = await waiting;
      expect(published.ok && published.value.duplicate).to.equal(false);
      const history = await engines[0].history('ops', 0, 100);
      expect(history.ok && history.value.length).to.equal(1);
    });

    it('refuses at once another send meeting a claim not yet answered', async () => {
      engines.push(await open(60_000));
      const { bucket, key } = await clientIdRecord('alice', 'p-1');
      await bucket.put(key, JSON.stringify({ claimed: true, send: 'channel:dev', timestamp: 1 }));
      const refused = await engines[1].publishChannel('ops', message(1), 'p-1', 100, 2);
      expect(refused.ok ? 'ok' : refused.code).to.equal('AC_ERR_CLIENT_MSG_ID_CONFLICT');
    });

    it('takes over a claim left unanswered (its hub died) once it has waited for it, and sends', async () => {
      engines.push(await open(200));
      const { bucket, key } = await clientIdRecord('alice', 'p-1');
      await bucket.put(key, JSON.stringify({ claimed: true, send: 'channel:ops', timestamp: 1 }));
      const published = await engines[1].publishChannel('ops', message(1), 'p-1', 100, 2);
      expect(published.ok && published.value.duplicate).to.equal(false);
      const retry = await engines[0].publishChannel('ops', message(1), 'p-1', 100, 3);
      expect(retry.ok && retry.value).to.deep.equal(published.ok && { ...published.value, duplicate: true });
    });
  });
});
