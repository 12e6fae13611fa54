// The messaging engine behaviour on JetStream: one real nats-server with JetStream on a free
// port and a temp store dir for the whole file, fresh streams and buckets (a new prefix) per test.
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
  });
});
