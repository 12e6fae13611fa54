import { expect } from 'chai';
import { ClientMessageIds } from '../../../storage/client-message-ids.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { MailboxStore } from '../../../storage/mailbox-store.ts';
import type { NewMessage } from '../../../storage/stored-message.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const from = (sender: string, n: number): NewMessage => ({ from: sender, message_type: 'chat', payload: { n }, reply_to: null });
const keepAll = { maxMessages: 100, evictableUpToSeq: Infinity };
const everything = { sinceSeq: 0, limit: 1000, notBefore: 0 };

describe('MailboxStore', () => {
  let dir: TempDir;
  let store: LmdbStore;
  let clientIds: ClientMessageIds;
  let mailbox: MailboxStore;

  beforeEach(() => {
    dir = makeTempDir('mailbox');
    store = openLmdbStore({ path: dir.path });
    clientIds = new ClientMessageIds(store);
    mailbox = new MailboxStore(store, clientIds);
  });

  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const payloads = (agentId: string) => mailbox.read(agentId, everything).map((m) => (m.payload as { n: number }).n);

  it('keeps each recipient\'s messages apart, in the order they were accepted, with 16-hex ids', async () => {
    await Promise.all([1, 2, 3].map((n) => mailbox.append(n === 2 ? 'carol' : 'bob', from('alice', n), null, keepAll, 1_000 + n)));
    expect(payloads('bob')).to.deep.equal([1, 3]);
    expect(payloads('carol')).to.deep.equal([2]);
    expect(payloads('bo')).to.deep.equal([]);
    const [first] = mailbox.read('bob', everything);
    expect(first).to.include({ from: 'alice', to: 'bob', channel: null, timestamp: 1_001 });
    expect(first!.id).to.match(/^[0-9a-f]{16}$/);
  });

  it('reads after a cursor, up to a limit, and hides messages older than notBefore', async () => {
    for (let n = 1; n <= 5; n++) await mailbox.append('bob', from('alice', n), null, keepAll, n * 100);
    const seqs = mailbox.read('bob', everything).map((m) => m.seq);
    expect(mailbox.read('bob', { sinceSeq: seqs[1]!, limit: 2, notBefore: 0 }).map((m) => m.seq)).to.deep.equal(seqs.slice(2, 4));
    expect(mailbox.read('bob', { sinceSeq: 0, limit: 10, notBefore: 300 }).map((m) => m.timestamp)).to.deep.equal([300, 400, 500]);
  });

  it('acks up to a seq, and only that agent\'s messages', async () => {
    for (let n = 1; n <= 3; n++) await mailbox.append('bob', from('alice', n), null, keepAll, n);
    await mailbox.append('carol', from('alice', 9), null, keepAll, 9);
    const second = mailbox.read('bob', everything)[1]!.seq;
    expect(await mailbox.ack('bob', second)).to.equal(2);
    expect(payloads('bob')).to.deep.equal([3]);
    expect(payloads('carol')).to.deep.equal([9]);
  });

  it('evicts the oldest past the cap, but none above evictableUpToSeq', async () => {
    for (let n = 1; n <= 5; n++) await mailbox.append('bob', from('alice', n), null, { maxMessages: 3, evictableUpToSeq: Infinity }, n);
    expect(payloads('bob')).to.deep.equal([3, 4, 5]);
    const newest = mailbox.read('bob', everything).at(-1)!.seq;
    await mailbox.append('bob', from('alice', 6), null, { maxMessages: 3, evictableUpToSeq: newest - 2 }, 6);
    expect(payloads('bob')).to.deep.equal([4, 5, 6]);
    await mailbox.append('bob', from('alice', 7), null, { maxMessages: 3, evictableUpToSeq: newest - 2 }, 7);
    expect(payloads('bob')).to.deep.equal([4, 5, 6, 7]);
  });

  it('sweeps expired messages and every agent down to the cap', async () => {
    for (let n = 1; n <= 4; n++) await mailbox.append('bob', from('alice', n), null, keepAll, n * 100);
    for (let n = 1; n <= 2; n++) await mailbox.append('carol', from('alice', n), null, keepAll, 1_000);
    expect(await mailbox.evict(200, 2)).to.equal(2);
    expect(payloads('bob')).to.deep.equal([3, 4]);
    expect(payloads('carol')).to.deep.equal([1, 2]);
    expect(await mailbox.evict(0, 1)).to.equal(2);
    expect(payloads('bob')).to.deep.equal([4]);
  });

  it('answers a repeated client id with the first answer and stores nothing more', async () => {
    const first = await mailbox.append('bob', from('alice', 1), 'c-1', keepAll, 1);
    const again = await mailbox.append('bob', from('alice', 2), 'c-1', keepAll, 2);
    expect(first.ok && again.ok).to.equal(true);
    if (!first.ok || !again.ok) return;
    expect(again.value).to.deep.equal({ ...first.value, duplicate: true });
    expect(payloads('bob')).to.deep.equal([1]);
    const otherSender = await mailbox.append('bob', from('dave', 3), 'c-1', keepAll, 3);
    expect(otherSender.ok && otherSender.value.duplicate).to.equal(false);
    expect(await clientIds.prune(2)).to.equal(1);
    const afterPrune = await mailbox.append('bob', from('alice', 4), 'c-1', keepAll, 4);
    expect(afterPrune.ok && afterPrune.value.duplicate).to.equal(false);
  });

  it('continues the seq after reopening the store', async () => {
    await mailbox.append('bob', from('alice', 1), null, keepAll, 1);
    const before = mailbox.lastSeq;
    await store.close();
    store = openLmdbStore({ path: dir.path });
    mailbox = new MailboxStore(store, new ClientMessageIds(store));
    expect(mailbox.lastSeq).to.equal(before);
    await mailbox.append('bob', from('alice', 2), null, keepAll, 2);
    expect(mailbox.read('bob', everything).map((m) => m.seq)).to.deep.equal([before, before + 1]);
  });
});
