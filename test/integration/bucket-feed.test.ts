// A bucket's change feed whose consumer is gone (as when the NATS node it lived on dies) is
// found stalled and watched again from the next revision: nothing is lost or taken twice. The
// client alone would notice only after two missed 30 s heartbeats. One real nats-server node.
import { expect } from 'chai';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BucketFeed } from '../../storage/jetstream/bucket-feed.ts';
import { startNatsNode, type NatsNode } from '../support/nats-server.ts';
import { waitFor } from '../support/wait-for.ts';

describe('BucketFeed (JetStream KV change feed)', function () {
  this.timeout(30_000);
  let node: NatsNode;
  let connection: NatsConnection;
  let bucket: KV;
  let feed: BucketFeed | null = null;
  let buckets = 0;

  before(async () => {
    node = await startNatsNode();
    connection = await connect({ servers: [node.url] });
  });

  beforeEach(async () => {
    bucket = await new Kvm(jetstream(connection)).create(`feed${++buckets}`, { history: 1, storage: StorageType.File });
  });

  afterEach(async () => {
    await feed?.stop();
    feed = null;
  });

  after(async () => {
    await connection?.close();
    await node?.stop();
  });

  async function deleteConsumers(): Promise<number> {
    const jsm = await jetstreamManager(connection);
    const names: string[] = [];
    for await (const info of jsm.consumers.list(`KV_feed${buckets}`)) names.push(info.name);
    for (const name of names) await jsm.consumers.delete(`KV_feed${buckets}`, name);
    return names.length;
  }

  it('watches again from the next revision when its consumer is gone, and takes every later change once, in order', async () => {
    const taken: Array<[string, number]> = [];
    const restarts: number[] = [];
    await bucket.put('a', '1');
    feed = await BucketFeed.start(bucket, (entry) => taken.push([entry.key, entry.revision]), {
      name: 'feed', checkMs: 200, onRestart: (_bucket, fromRevision) => restarts.push(fromRevision),
    });
    await waitFor(() => taken.length === 1);
    expect(await deleteConsumers()).to.equal(1);
    await bucket.put('b', '2');
    await bucket.put('a', '3');
    await bucket.put('c', '4');
    await waitFor(() => taken.length >= 4, 20_000, 'the changes after the consumer was deleted');
    await new Promise((resolve) => setTimeout(resolve, 600));
    // Revision 2 (b) was superseded by nothing; a's revision 1 by 3: the resumed watch gets each stored one once.
    expect(taken).to.deep.equal([['a', 1], ['b', 2], ['a', 3], ['c', 4]]);
    expect(restarts).to.deep.equal([2]);
    expect(feed.revision).to.equal(4);
  });

  it('leaves a feed that keeps up alone', async () => {
    const restarts: number[] = [];
    let count = 0;
    feed = await BucketFeed.start(bucket, () => { count += 1; }, { name: 'feed', checkMs: 100, onRestart: (_bucket, from) => restarts.push(from) });
    for (let i = 0; i < 20; i++) {
      await bucket.put(`k${i % 5}`, String(i));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await waitFor(() => count === 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(restarts).to.deep.equal([]);
  });
});
