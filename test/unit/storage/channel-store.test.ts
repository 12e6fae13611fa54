import { expect } from 'chai';
import { ChannelStore } from '../../../storage/channel-store.ts';
import { ClientMessageIds } from '../../../storage/client-message-ids.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import type { NewMessage } from '../../../storage/stored-message.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const note = (n: number): NewMessage => ({ from: 'alice', message_type: 'note', payload: { n }, reply_to: null });

describe('ChannelStore', () => {
  let dir: TempDir;
  let store: LmdbStore;
  let channels: ChannelStore;

  beforeEach(async () => {
    dir = makeTempDir('channels');
    store = openLmdbStore({ path: dir.path });
    channels = new ChannelStore(store, new ClientMessageIds(store));
    await channels.create('ops', 'operations', 'admin:ops', 1_000);
  });

  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const seqs = (name: string, since = 0, limit = 1000) => {
    const found = channels.history(name, since, limit);
    return found.ok ? found.value.map((m) => m.seq) : found.code;
  };

  it('refuses a second channel of the same name', async () => {
    const again = await channels.create('ops', '', null, 2_000);
    expect(again.ok || again.code).to.equal('AC_ERR_CHANNEL_EXISTS');
    expect(channels.get('ops')).to.include({ description: 'operations', created_at: 1_000, last_seq: 0 });
  });

  it('numbers publishes 1, 2, 3… per channel, even when they share a transaction', async () => {
    await channels.create('dev', '', null, 1_000);
    const all = await Promise.all([1, 2, 3, 4].map((n) => channels.publish(n % 2 ? 'ops' : 'dev', note(n), null, 200, n)));
    expect(all.map((r) => r.ok && r.value.seq)).to.deep.equal([1, 1, 2, 2]);
    expect(seqs('ops')).to.deep.equal([1, 2]);
    expect(seqs('ops', 1)).to.deep.equal([2]);
    expect(seqs('nowhere')).to.equal('AC_ERR_CHANNEL_NOT_FOUND');
    expect((await channels.publish('nowhere', note(1), null, 200, 1)).ok).to.equal(false);
  });

  it('keeps the newest cap messages, and trimAll applies a lowered cap', async () => {
    for (let n = 1; n <= 6; n++) await channels.publish('ops', note(n), null, 4, n);
    expect(seqs('ops')).to.deep.equal([3, 4, 5, 6]);
    expect(await channels.trimAll(2)).to.equal(2);
    expect(seqs('ops')).to.deep.equal([5, 6]);
    expect(channels.get('ops')).to.include({ first_seq: 5, last_seq: 6 });
  });

  it('records subscriptions both ways and notes a repeat', async () => {
    expect(await channels.subscribe('bob', 'ops', 5)).to.deep.equal({ ok: true, value: { already: false } });
    expect(await channels.subscribe('bob', 'ops', 6)).to.deep.equal({ ok: true, value: { already: true } });
    await channels.subscribe('bo', 'ops', 7);
    expect(channels.subscriptionsOf('bob')).to.deep.equal(['ops']);
    expect(channels.subscribersOf('ops')).to.deep.equal(['bo', 'bob']);
    expect(channels.subscriberCount('ops')).to.equal(2);
    expect(await channels.unsubscribe('bob', 'ops')).to.deep.equal({ ok: true, value: { was: true } });
    expect(channels.subscriptionsOf('bob')).to.deep.equal([]);
    expect(channels.subscribersOf('ops')).to.deep.equal(['bo']);
    const missing = await channels.subscribe('bob', 'nowhere', 8);
    expect(missing.ok || missing.code).to.equal('AC_ERR_CHANNEL_NOT_FOUND');
  });

  it('answers a repeated client id with the first seq and id', async () => {
    const first = await channels.publish('ops', note(1), 'p-1', 200, 1);
    const again = await channels.publish('ops', note(1), 'p-1', 200, 2);
    expect(again.ok && first.ok && again.value).to.deep.equal(first.ok && { ...first.value, duplicate: true });
    expect(seqs('ops')).to.deep.equal([1]);
  });
});
