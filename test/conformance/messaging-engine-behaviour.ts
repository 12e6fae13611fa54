// The messaging engine's behaviour, one suite for every engine (MessagingEngine): each
// engine's conformance file runs it against the real thing (LMDB in a temp dir, JetStream on
// a real nats-server), so a mailbox, a channel and a client id behave the same on both.
import { expect } from 'chai';
import type { Result } from '../../storage/domain/errors.ts';
import type { MessagingEngine } from '../../storage/messaging-engine.ts';
import type { NewMessage } from '../../storage/stored-message.ts';

const t0 = 1_700_000_000_000;
const from = (sender: string, n: number): NewMessage => ({ from: sender, message_type: 'chat', payload: { n }, reply_to: null });
const keepAll = { maxMessages: 100, evictableUpToSeq: Infinity };
const everything = { sinceSeq: 0, limit: 1000, notBefore: 0 };

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

const codeOf = (result: Result<unknown>) => (result.ok ? 'ok' : result.code);

export interface MessagingUnderTest {
  /** Opens the engine on fresh storage (before each test). */
  openFresh(): Promise<MessagingEngine>;
  /** Opens the engine again on the storage of the last openFresh (the first one closed). */
  openAgain(): Promise<MessagingEngine>;
  /** Removes the storage of the last openFresh (after each test, the engine closed). */
  discard(): Promise<void>;
}

export function messagingEngineBehaviour(under: MessagingUnderTest): void {
  let engine: MessagingEngine;

  beforeEach(async () => {
    engine = await under.openFresh();
  });

  afterEach(async () => {
    await engine.close();
    await under.discard();
  });

  const payloads = async (agentId: string) => (await engine.readMail(agentId, everything)).map((m) => (m.payload as { n: number }).n);

  describe('mailboxes', () => {
    it('keeps each recipient apart, in the order accepted, with increasing seqs, 16-hex ids and a lastSeq past them', async () => {
      const first = value(await engine.appendMail('bob', from('alice', 1), null, keepAll, t0));
      value(await engine.appendMail('carol', from('alice', 2), null, keepAll, t0));
      const third = value(await engine.appendMail('bob', from('alice', 3), null, keepAll, t0 + 1));
      expect(first.id).to.match(/^[0-9a-f]{16}$/);
      expect(third.seq).to.be.greaterThan(first.seq!);
      expect(engine.lastSeq).to.be.at.least(third.seq!);
      expect(await payloads('bob')).to.deep.equal([1, 3]);
      const read = await engine.readMail('bob', everything);
      expect(read[0]).to.include({ id: first.id, seq: first.seq, from: 'alice', to: 'bob', channel: null, timestamp: t0 });
    });

    it('reads after a cursor, up to a limit, and skips messages older than notBefore', async () => {
      const seqs: number[] = [];
      for (let n = 1; n <= 4; n++) seqs.push(value(await engine.appendMail('bob', from('alice', n), null, keepAll, t0 + n)).seq!);
      expect((await engine.readMail('bob', { sinceSeq: seqs[1], limit: 10, notBefore: 0 })).map((m) => m.seq)).to.deep.equal(seqs.slice(2));
      expect((await engine.readMail('bob', { sinceSeq: 0, limit: 2, notBefore: 0 })).map((m) => m.seq)).to.deep.equal(seqs.slice(0, 2));
      expect((await engine.readMail('bob', { sinceSeq: 0, limit: 10, notBefore: t0 + 3 })).map((m) => m.seq)).to.deep.equal(seqs.slice(2));
    });

    it('answers a repeated client id with the first answer and stores nothing more', async () => {
      const first = value(await engine.appendMail('bob', from('alice', 1), 'c-1', keepAll, t0));
      const again = value(await engine.appendMail('bob', from('alice', 1), 'c-1', keepAll, t0 + 5));
      expect(again).to.deep.equal({ ...first, duplicate: true });
      // The id is the sender's: another sender may use it.
      expect(value(await engine.appendMail('bob', from('dave', 2), 'c-1', keepAll, t0)).duplicate).to.equal(false);
      expect(await payloads('bob')).to.deep.equal([1, 2]);
    });

    it("acks up to a seq, only that agent's messages, and counts them", async () => {
      const one = value(await engine.appendMail('bob', from('alice', 1), null, keepAll, t0));
      value(await engine.appendMail('carol', from('alice', 2), null, keepAll, t0));
      value(await engine.appendMail('bob', from('alice', 3), null, keepAll, t0));
      expect(await engine.ackMail('bob', one.seq!)).to.equal(1);
      expect(await payloads('bob')).to.deep.equal([3]);
      expect(await payloads('carol')).to.deep.equal([2]);
    });

    it('evicts the oldest past the cap at a send, but none above evictableUpToSeq', async () => {
      const seqs: number[] = [];
      for (let n = 1; n <= 3; n++) seqs.push(value(await engine.appendMail('bob', from('alice', n), null, keepAll, t0)).seq!);
      value(await engine.appendMail('bob', from('alice', 4), null, { maxMessages: 2, evictableUpToSeq: seqs[0] }, t0));
      expect(await payloads('bob')).to.deep.equal([2, 3, 4]);
      value(await engine.appendMail('bob', from('alice', 5), null, { maxMessages: 2, evictableUpToSeq: Infinity }, t0));
      expect(await payloads('bob')).to.deep.equal([4, 5]);
    });

    it('sweeps expired messages and every mailbox down to the cap', async () => {
      for (let n = 1; n <= 4; n++) value(await engine.appendMail('bob', from('alice', n), null, keepAll, t0 + n));
      value(await engine.appendMail('carol', from('alice', 9), null, keepAll, t0));
      expect(await engine.evictMail(t0 + 2, 2)).to.equal(3);
      expect(await payloads('bob')).to.deep.equal([3, 4]);
      expect(await payloads('carol')).to.deep.equal([]);
    });

    it('keeps mailboxes, and continues the seq, after a reopen', async () => {
      const first = value(await engine.appendMail('bob', from('alice', 1), null, keepAll, t0));
      await engine.close();
      engine = await under.openAgain();
      expect(await payloads('bob')).to.deep.equal([1]);
      expect(engine.lastSeq).to.be.at.least(first.seq!);
      expect(value(await engine.appendMail('bob', from('alice', 2), null, keepAll, t0)).seq).to.be.greaterThan(first.seq!);
    });
  });

  describe('client ids of sends that store nothing else', () => {
    it('remembers the first answer', async () => {
      const fresh = { id: 'aaaaaaaaaaaaaaaa', seq: null, timestamp: t0, duplicate: false };
      expect(value(await engine.acceptOnce('alice', 'b-1', fresh))).to.deep.equal(fresh);
      const again = value(await engine.acceptOnce('alice', 'b-1', { ...fresh, id: 'bbbbbbbbbbbbbbbb' }));
      expect(again).to.deep.equal({ ...fresh, duplicate: true });
    });
  });

  describe('channels', () => {
    it('refuses a second channel of the same name, and lists them by name', async () => {
      value(await engine.createChannel('zeta', '', null, t0));
      value(await engine.createChannel('alpha', 'first', 'alice', t0));
      expect(codeOf(await engine.createChannel('alpha', '', null, t0))).to.equal('AC_ERR_CHANNEL_EXISTS');
      expect(engine.listChannels().map((c) => c.name)).to.deep.equal(['alpha', 'zeta']);
      expect(engine.getChannel('alpha')).to.include({ description: 'first', created_by: 'alice', last_seq: 0 });
    });

    it('records subscriptions both ways, notes a repeat and a missing channel', async () => {
      value(await engine.createChannel('reviews', '', null, t0));
      expect(value(await engine.subscribe('bob', 'reviews', t0))).to.deep.equal({ already: false });
      expect(value(await engine.subscribe('bob', 'reviews', t0))).to.deep.equal({ already: true });
      value(await engine.subscribe('a.b c', 'reviews', t0));
      expect(engine.subscribersOf('reviews')).to.have.members(['bob', 'a.b c']);
      expect(engine.subscriberCount('reviews')).to.equal(2);
      expect(engine.subscriptionsOf('bob')).to.deep.equal(['reviews']);
      expect(value(await engine.unsubscribe('bob', 'reviews'))).to.deep.equal({ was: true });
      expect(value(await engine.unsubscribe('bob', 'reviews'))).to.deep.equal({ was: false });
      expect(engine.subscriptionsOf('bob')).to.deep.equal([]);
      expect(value(await engine.subscribe('bob', 'reviews', t0))).to.deep.equal({ already: false });
      expect(engine.subscriptionsOf('bob')).to.deep.equal(['reviews']);
      expect(codeOf(await engine.subscribe('bob', 'nowhere', t0))).to.equal('AC_ERR_CHANNEL_NOT_FOUND');
    });

    it('numbers publishes 1, 2, 3…, keeps the newest cap in history, and answers a repeated client id', async () => {
      value(await engine.createChannel('reviews', '', null, t0));
      const seqs: number[] = [];
      for (let n = 1; n <= 4; n++) seqs.push(value(await engine.publishChannel('reviews', from('alice', n), n === 1 ? 'p-1' : null, 3, t0)).seq!);
      expect(seqs).to.deep.equal([1, 2, 3, 4]);
      const again = value(await engine.publishChannel('reviews', from('alice', 1), 'p-1', 3, t0));
      expect(again).to.include({ seq: 1, duplicate: true });
      expect(value(await engine.history('reviews', 0, 10)).map((m) => m.seq)).to.deep.equal([2, 3, 4]);
      expect(value(await engine.history('reviews', 2, 1)).map((m) => m.seq)).to.deep.equal([3]);
      expect(engine.getChannel('reviews')).to.include({ first_seq: 2, last_seq: 4 });
      expect(value(await engine.history('reviews', 0, 10))[0]).to.include({ channel: 'reviews', to: null, from: 'alice' });
      expect(codeOf(await engine.publishChannel('nowhere', from('alice', 1), null, 3, t0))).to.equal('AC_ERR_CHANNEL_NOT_FOUND');
      expect(codeOf(await engine.history('nowhere', 0, 10))).to.equal('AC_ERR_CHANNEL_NOT_FOUND');
    });

    it('cuts every history to a lowered cap', async () => {
      value(await engine.createChannel('reviews', '', null, t0));
      for (let n = 1; n <= 4; n++) value(await engine.publishChannel('reviews', from('alice', n), null, 10, t0));
      expect(await engine.trimChannels(1)).to.equal(3);
      expect(value(await engine.history('reviews', 0, 10)).map((m) => m.seq)).to.deep.equal([4]);
      expect(engine.getChannel('reviews')).to.include({ first_seq: 4, last_seq: 4 });
    });

    it('keeps channels, subscriptions and history after a reopen', async () => {
      value(await engine.createChannel('reviews', '', null, t0));
      value(await engine.subscribe('bob', 'reviews', t0));
      value(await engine.publishChannel('reviews', from('alice', 1), null, 10, t0));
      await engine.close();
      engine = await under.openAgain();
      expect(engine.subscriptionsOf('bob')).to.deep.equal(['reviews']);
      expect(value(await engine.history('reviews', 0, 10)).map((m) => m.seq)).to.deep.equal([1]);
      expect(value(await engine.publishChannel('reviews', from('alice', 2), null, 10, t0)).seq).to.equal(2);
    });
  });
}
