// The messaging engine behaviour on JetStream: one real nats-server with JetStream on a free
// port and a temp store dir for the whole file, fresh streams and buckets (a new prefix) per test.
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
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
  messagingEngineBehaviour({
    openFresh: async () => {
      prefix = `messaging${++tests}`;
      return open();
    },
    openAgain: open,
    discard: async () => {},
    // The bucket and key as jetstream-messaging.ts names them: `<sender>.<client id>`, base64url.
    rememberAsOlderHub: async (sender, clientMsgId, answer) => {
      const bucket = await new Kvm(jetstream(connection)).open(`${prefix}_client_ids`);
      const token = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
      await bucket.put(`${token(sender)}.${token(clientMsgId)}`, JSON.stringify(answer));
    },
  });
});
