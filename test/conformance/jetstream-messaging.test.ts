// The messaging engine behaviour on JetStream: one real nats-server with JetStream on a free
// port and a temp store dir for the whole file, fresh streams and buckets (a new prefix) per test.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, Empty, headers, type NatsConnection } from '@nats-io/transport-node';
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
  // Subjects and keys as jetstream-messaging.ts names them: agent ids and client ids in base64url.
  const token = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  const clientIdKey = (sender: string, clientMsgId: string) => `${token(sender)}.${token(clientMsgId)}`;
  const clientIdRecord = async (sender: string, clientMsgId: string) => {
    const bucket = await new Kvm(jetstream(connection)).open(`${prefix}_client_ids`);
    return { bucket, key: clientIdKey(sender, clientMsgId) };
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

  // The stream's msg id (the client id) is stream-wide: a hub that stored a message and died before
  // remembering its client id leaves JetStream to recognise the retry, whatever its recipient or channel.
  describe('a message JetStream deduplicated by msg id, its client id not remembered', () => {
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

    it('refuses a publish to another channel and stores nothing; a retry to the first gets its answer', async () => {
      const engine = await open();
      try {
        for (const name of ['ops', 'dev']) {
          const created = await engine.createChannel(name, '', null, 1);
          if (!created.ok) throw new Error(created.detail);
        }
        const first = await engine.publishChannel('ops', message(1), 'p-1', 100, 2);
        if (!first.ok) throw new Error(first.detail);
        const { bucket, key } = await clientIdRecord('alice', 'p-1');
        await bucket.purge(key);
        const toDev = await engine.publishChannel('dev', message(2), 'p-1', 100, 3);
        expect(toDev.ok ? 'ok' : toDev.code).to.equal('AC_ERR_CLIENT_MSG_ID_CONFLICT');
        expect(await engine.history('dev', 0, 100)).to.deep.equal({ ok: true, value: [] });
        const retry = await engine.publishChannel('ops', message(1), 'p-1', 100, 4);
        expect(retry.ok && retry.value).to.deep.equal({ ...first.value, duplicate: true });
        const history = await engine.history('ops', 0, 100);
        expect(history.ok && history.value.map((one) => one.id)).to.deep.equal([first.value.id]);
      } finally {
        await engine.close();
      }
    });

    it('refuses a retry whose first message has left the channel history (its seq is lost) and stores nothing', async () => {
      const engine = await open();
      try {
        const created = await engine.createChannel('ops', '', null, 1);
        if (!created.ok) throw new Error(created.detail);
        const first = await engine.publishChannel('ops', message(1), 'p-1', 1, 2);
        if (!first.ok) throw new Error(first.detail);
        const { bucket, key } = await clientIdRecord('alice', 'p-1');
        await bucket.purge(key);
        const next = await engine.publishChannel('ops', message(2), 'p-2', 1, 3);
        if (!next.ok) throw new Error(next.detail);
        const retry = await engine.publishChannel('ops', message(1), 'p-1', 1, 4);
        expect(retry.ok ? 'ok' : retry.code).to.equal('AC_ERR_STORAGE');
        const { state } = await (await jetstreamManager(connection)).streams.info(`${prefix}_history`);
        expect(state.messages).to.equal(1);
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

  // A send claims its client id, publishes, then writes its answer over the claim (revision-checked).
  // When that write fails, the message is sent all the same: the sender is told so, and a retry gets
  // that first answer (duplicate:true), with one message stored for the recipient (api.md, Retries).
  describe('an answer that cannot be written over its claim', () => {
    const message = (n: number) => ({ from: 'alice', message_type: 'chat', payload: { n }, reply_to: null });
    const keepAll = { maxMessages: 100, evictableUpToSeq: Infinity };
    const sends = {
      'a direct message': {
        clientMsgId: 'd-1',
        subject: () => `${prefix}.mailbox.${token('bob')}`,
        send: (engine: JetStreamMessaging<never>, now: number) => engine.appendMail('bob', message(1), 'd-1', keepAll, now),
        stored: async (engine: JetStreamMessaging<never>) => (await engine.readMail('bob', { sinceSeq: 0, limit: 10, notBefore: 0 })).length,
        claim: { claimed: true, send: 'direct:bob', timestamp: 1 },
      },
      'a channel message': {
        clientMsgId: 'p-1',
        subject: () => `${prefix}.history.ops.*`,
        send: (engine: JetStreamMessaging<never>, now: number) => engine.publishChannel('ops', message(1), 'p-1', 100, now),
        stored: async (engine: JetStreamMessaging<never>) => {
          const history = await engine.history('ops', 0, 100);
          if (!history.ok) throw new Error(history.detail);
          return history.value.length;
        },
        claim: { claimed: true, send: 'channel:ops', timestamp: 1 },
      },
    };
    let engine: JetStreamMessaging<never>;
    let errors: string[] = [];

    beforeEach(async () => {
      prefix = `unanswered${++tests}`;
      errors = [];
      // A claim left unanswered is taken over after this wait (15 s in a hub).
      engine = await JetStreamMessaging.open({ connection, hubName: 'conformance', prefix, claimWaitMs: 200, onError: (text) => errors.push(text) });
      const created = await engine.createChannel('ops', '', null, 1);
      if (!created.ok) throw new Error(created.detail);
    });

    afterEach(async () => {
      await engine.close();
    });

    /**
     * Runs `write` (on the engine's own connection) as the server takes the send's message: NATS keeps
     * one connection's messages in order, so the write reaches the client id bucket after the claim and
     * before the answer, every time.
     */
    const onPublish = (subject: string, write: () => void) => {
      connection.subscribe(subject, { max: 1, callback: () => write() });
    };
    const keySubject = (clientMsgId: string) => `$KV.${prefix}_client_ids.${clientIdKey('alice', clientMsgId)}`;

    for (const [name, kind] of Object.entries(sends)) {
      /** The send (told sent whatever the fault did), what the fault left in the bucket (`left`), and a retry. */
      const sentOnceAndRetried = async (left: string, restore = async () => {}) => {
        const first = await kind.send(engine, 2);
        await restore();
        if (!first.ok) throw new Error(`expected the send to be told sent, got ${first.code}: ${first.detail}`);
        expect(first.value.duplicate).to.equal(false);
        expect(errors).to.deep.equal([`client message id ${kind.clientMsgId} sent but its answer not remembered`]);
        const { bucket, key } = await clientIdRecord('alice', kind.clientMsgId);
        const entry = await bucket.get(key);
        expect(entry?.operation === 'PUT' ? entry.string() : 'none').to.equal(left);
        const retry = await kind.send(engine, 3);
        expect(retry.ok ? retry.value : `${retry.code}: ${retry.detail}`).to.deep.equal({ ...first.value, duplicate: true });
        expect(await kind.stored(engine)).to.equal(1);
        const again = await kind.send(engine, 4);
        expect(again.ok && again.value).to.deep.equal({ ...first.value, duplicate: true });
      };

      it(`${name}: its claim deleted before the answer; sent, and a retry gets the first answer`, async () => {
        onPublish(kind.subject(), () => {
          const deleted = headers();
          deleted.set('KV-Operation', 'DEL');
          connection.publish(keySubject(kind.clientMsgId), Empty, { headers: deleted });
        });
        await sentOnceAndRetried('none');
      });

      it(`${name}: its claim taken over before the answer (by a hub that died then); sent, and a retry after the claim wait gets the first answer`, async () => {
        const takenOver = JSON.stringify(kind.claim);
        onPublish(kind.subject(), () => connection.publish(keySubject(kind.clientMsgId), takenOver));
        await sentOnceAndRetried(takenOver);
      });

      it(`${name}: the bucket refusing the answer; sent, and a retry after the claim wait gets the first answer`, async () => {
        // The bucket takes the claim (exactly its size: the server counts the headers) and not the
        // longer answer, so the answer's write fails as when the bucket is unavailable.
        const claim = JSON.stringify({ ...kind.claim, timestamp: 2 });
        const createHeaders = 'NATS/1.0\r\nNats-Expected-Last-Subject-Sequence: 0\r\n\r\n';
        const jsm = await jetstreamManager(connection);
        const bucketStream = `KV_${prefix}_client_ids`;
        const { config } = await jsm.streams.info(bucketStream);
        await jsm.streams.update(bucketStream, { ...config, max_msg_size: Buffer.byteLength(claim + createHeaders) });
        await sentOnceAndRetried(claim, async () => {
          await jsm.streams.update(bucketStream, { ...config, max_msg_size: -1 });
        });
      });
    }
  });
});
