// The messaging engine behaviour on JetStream: one real nats-server with JetStream on a free
// port and a temp store dir for the whole file, fresh streams and buckets (a new prefix) per test.
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expect } from 'chai';
import { JetStreamMessaging } from '../../storage/jetstream/jetstream-messaging.ts';
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

  const open = () => JetStreamMessaging.open({ connection, hubName: 'conformance', prefix });
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
    openAgain: open,
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
});
