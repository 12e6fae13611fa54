// A bucket's change feed on a 3-node cluster when the node its consumer lives on is killed
// with kill -9 (the hub's connection may be elsewhere and stay up): the feed goes on with the
// changes written after the loss, each once and in order. Before bucket-feed.ts a hub's views
// (tasks, hub leases, tokens, channels) stood still for 60-90 s, until the client had missed
// two of the consumer's 30 s heartbeats.
import { expect } from 'chai';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BucketFeed } from '../../storage/jetstream/bucket-feed.ts';
import { startNatsCluster, type NatsCluster } from '../support/nats-server.ts';
import { waitFor } from '../support/wait-for.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cluster: a bucket feed when the node of its consumer is killed', function () {
  this.timeout(180_000);
  let cluster: NatsCluster;
  const connections: NatsConnection[] = [];
  let feed: BucketFeed | null = null;

  before(async () => {
    cluster = await startNatsCluster(3);
  });

  after(async () => {
    await feed?.stop();
    for (const connection of connections) await connection.close().catch(() => {});
    await cluster?.stop();
  });

  async function open(): Promise<{ connection: NatsConnection; bucket: KV }> {
    const connection = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    connections.push(connection);
    const kvm = new Kvm(jetstream(connection, { timeout: 10_000 }));
    // The cluster elects its meta leader after start: a create may time out and is tried again.
    for (let attempt = 0; ; attempt++) {
      try {
        return { connection, bucket: await kvm.create('feeds', { history: 1, replicas: 3, storage: StorageType.File }) };
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(500);
      }
    }
  }

  /** A write acknowledged by the bucket's replicas; retried while its stream elects a leader. */
  async function put(bucket: KV, key: string, value: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await bucket.put(key, value);
      } catch (error) {
        if (attempt >= 40) throw error;
        await sleep(500);
      }
    }
  }

  it('takes every change written after the loss, once and in order, long before the client would notice', async () => {
    const { connection, bucket } = await open();
    const writer = await open();
    await put(writer.bucket, 'a', '0');
    const taken: Array<[string, number]> = [];
    const restarts: string[] = [];
    feed = await BucketFeed.start(bucket, (entry) => taken.push([entry.key, entry.revision]), {
      name: 'feeds', onRestart: (_bucket, from, reason) => restarts.push(`${from}: ${reason}`),
    });
    await waitFor(() => taken.length === 1, 10_000);

    const jsm = await jetstreamManager(connection);
    const hosts: string[] = [];
    for await (const info of jsm.consumers.list('KV_feeds')) if (info.cluster?.leader) hosts.push(info.cluster.leader);
    expect(hosts).to.have.length(1);
    const victim = cluster.nodes.findIndex((_node, i) => `n${i + 1}` === hosts[0]);
    await cluster.nodes[victim]!.kill();

    const written: Array<[string, number]> = [];
    for (let n = 1; n <= 5; n++) written.push([`k${n}`, await put(writer.bucket, `k${n}`, String(n))]);
    // Well inside the client's own 60-90 s: the feed checks itself every 2 s.
    await waitFor(() => taken.length >= 1 + written.length, 40_000, 'the changes written after the node loss');
    await sleep(500);
    expect(taken.slice(1)).to.deep.equal(written);
    expect(restarts).to.have.length.greaterThan(0);
  });
});
