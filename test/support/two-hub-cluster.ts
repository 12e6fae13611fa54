// Two real hubs (engine jetstream) on one real nats-server, for the cluster tests. Tokens are
// the cluster's: hub A makes the admin token, hub B finds it in the bucket and makes none.
import { startTestHub, type TestHub } from './hub-harness.ts';
import { startNatsNode, type NatsNode } from './nats-server.ts';

export interface TwoHubCluster {
  node: NatsNode;
  a: TestHub;
  b: TestHub;
  stop(): Promise<void>;
}

/** Hubs `hub-a` and `hub-b`, with a short hub lease so a stopped hub's agents leave soon. */
export async function startTwoHubCluster(): Promise<TwoHubCluster> {
  const node = await startNatsNode();
  const cluster = { engine: 'jetstream', nats_servers: [node.url], hub_lease_ms: 3000 };
  const a = await startTestHub({ ...cluster, hub_name: 'hub-a' });
  const b = await startTestHub({ ...cluster, hub_name: 'hub-b' }, { adminToken: a.adminToken });
  return {
    node, a, b,
    stop: async () => {
      await a.stop();
      await b.stop();
      await node.stop();
    },
  };
}
