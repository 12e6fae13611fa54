// The messaging engine's behaviour, one suite for every engine (MessagingEngine): each
// engine's conformance file runs it against the real thing (LMDB in a temp dir, JetStream on
// a real nats-server), so a mailbox, a channel and a client id behave the same on both.
import { expect } from 'chai';
import { broadcastSend } from '../../storage/client-message-reuse.ts';
import type { Result } from '../../storage/domain/errors.ts';
import type { AnyMessagingEngine } from '../../storage/messaging-engine.ts';
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
  openFresh(): Promise<AnyMessagingEngine>;
  /** Opens the engine again on the storage of the last openFresh (the first one closed). */
  openAgain(): Promise<AnyMessagingEngine>;
  /** Removes the storage of the last openFresh (after each test, the engine closed). */
  discard(): Promise<void>;
  /** Writes a client id's record as a hub before the send was kept wrote it: the first answer only. */
  rememberAsOlderHub(sender: string, clientMsgId: string, answer: { id: string; seq: number | null; timestamp: number }): Promise<void>;
}

export function messagingEngineBehaviour(under: MessagingUnderTest): void {
  let engine: AnyMessagingEngine;

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
      expect(value(await engine.acceptOnce('alice', 'b-1', broadcastSend, fresh))).to.deep.equal(fresh);
      const again = value(await engine.acceptOnce('alice', 'b-1', broadcastSend, { ...fresh, id: 'bbbbbbbbbbbbbbbb' }));
      expect(again).to.deep.equal({ ...fresh, duplicate: true });
    });
  });

  // Answered with the first send's answer, the new send would be reported sent and never be.
  describe('a client id reused for another send', () => {
    const broadcastAnswer = (id: string) => ({ id, seq: null, timestamp: t0, duplicate: false });
    const conflict = (result: Result<unknown>) => expect(codeOf(result)).to.equal('AC_ERR_CLIENT_MSG_ID_CONFLICT');
    const historySeqs = async (channel: string) => value(await engine.history(channel, 0, 10)).map((m) => m.seq);

    it('refuses a direct message to another agent, stores nothing, and still answers a retry to the first', async () => {
      const first = value(await engine.appendMail('bob', from('alice', 1), 'c-1', keepAll, t0));
      conflict(await engine.appendMail('carol', from('alice', 2), 'c-1', keepAll, t0));
      expect(await payloads('carol')).to.deep.equal([]);
      expect(value(await engine.appendMail('bob', from('alice', 1), 'c-1', keepAll, t0 + 5))).to.deep.equal({ ...first, duplicate: true });
      expect(await payloads('bob')).to.deep.equal([1]);
    });

    it('refuses a publish to another channel, and still answers a retry to the first', async () => {
      value(await engine.createChannel('ops', '', null, t0));
      value(await engine.createChannel('dev', '', null, t0));
      const first = value(await engine.publishChannel('ops', from('alice', 1), 'p-1', 10, t0));
      conflict(await engine.publishChannel('dev', from('alice', 2), 'p-1', 10, t0));
      expect(await historySeqs('dev')).to.deep.equal([]);
      expect(engine.getChannel('dev')).to.include({ last_seq: 0 });
      expect(value(await engine.publishChannel('ops', from('alice', 1), 'p-1', 10, t0 + 5))).to.deep.equal({ ...first, duplicate: true });
      expect(await historySeqs('ops')).to.deep.equal([1]);
    });

    it('refuses a direct message, a broadcast or a publish reusing the id of another kind of send; each retry gets its first answer', async () => {
      value(await engine.createChannel('ops', '', null, t0));
      const direct = value(await engine.appendMail('bob', from('alice', 1), 'to-bob', keepAll, t0));
      const broadcast = value(await engine.acceptOnce('alice', 'to-all', broadcastSend, broadcastAnswer('aaaaaaaaaaaaaaaa')));
      const published = value(await engine.publishChannel('ops', from('alice', 2), 'to-ops', 10, t0));
      conflict(await engine.appendMail('bob', from('alice', 3), 'to-all', keepAll, t0));
      conflict(await engine.appendMail('bob', from('alice', 3), 'to-ops', keepAll, t0));
      conflict(await engine.acceptOnce('alice', 'to-bob', broadcastSend, broadcastAnswer('bbbbbbbbbbbbbbbb')));
      conflict(await engine.acceptOnce('alice', 'to-ops', broadcastSend, broadcastAnswer('bbbbbbbbbbbbbbbb')));
      conflict(await engine.publishChannel('ops', from('alice', 3), 'to-bob', 10, t0));
      conflict(await engine.publishChannel('ops', from('alice', 3), 'to-all', 10, t0));
      expect(await payloads('bob')).to.deep.equal([1]);
      expect(await historySeqs('ops')).to.deep.equal([1]);
      expect(value(await engine.appendMail('bob', from('alice', 1), 'to-bob', keepAll, t0))).to.deep.equal({ ...direct, duplicate: true });
      expect(value(await engine.acceptOnce('alice', 'to-all', broadcastSend, broadcastAnswer('cccccccccccccccc')))).to.deep.equal({ ...broadcast, duplicate: true });
      expect(value(await engine.publishChannel('ops', from('alice', 2), 'to-ops', 10, t0))).to.deep.equal({ ...published, duplicate: true });
    });

    it("counts an id an older hub remembered (without its send) as a retry of any send: the first answer, nothing stored", async () => {
      value(await engine.createChannel('ops', '', null, t0));
      const answer = { id: 'dddddddddddddddd', seq: 7, timestamp: t0 };
      await under.rememberAsOlderHub('alice', 'old-1', answer);
      expect(value(await engine.appendMail('carol', from('alice', 1), 'old-1', keepAll, t0 + 1))).to.deep.equal({ ...answer, duplicate: true });
      expect(value(await engine.publishChannel('ops', from('alice', 2), 'old-1', 10, t0 + 1))).to.deep.equal({ ...answer, duplicate: true });
      expect(value(await engine.acceptOnce('alice', 'old-1', broadcastSend, broadcastAnswer('eeeeeeeeeeeeeeee')))).to.deep.equal({ ...answer, duplicate: true });
      expect(await payloads('carol')).to.deep.equal([]);
      expect(await historySeqs('ops')).to.deep.equal([]);
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
