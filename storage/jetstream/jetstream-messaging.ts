// The messaging engine on NATS JetStream: every hub of a cluster sees the same mailboxes,
// channels and client ids, and pushes reach agents on any hub.
//
// Where things live (prefix `agentcom` unless told otherwise):
//   stream <prefix>_mailbox   subject <prefix>.mailbox.<agent>: one message per direct message;
//                             the stream's sequence is the mailbox seq (cluster-wide, increasing).
//                             An ack purges the agent's subject up to the seq.
//   stream <prefix>_history   subject <prefix>.history.<channel>.<seq>: a channel's history, one
//                             subject per channel seq (handed out by the channel record's CAS), so
//                             a read from any seq gets each message directly, without a scan.
//   bucket <prefix>_channels  `c.<channel>` → its record (compare-and-set on the revision for its
//                             seq), `s.<channel>.<agent>` → a subscription. Read from a view fed by
//                             the bucket's change feed, as the task view is.
//   bucket <prefix>_client_ids `<sender>.<client id>` → the first answer to that send, and the send
//                             (client-message-reuse.ts; none in records of older hubs). A send
//                             claims its key (a KV create: one sender wins, on any hub) before it
//                             publishes, and writes its answer over the claim (revision-checked).
//                             The key is also the stored message's msg id in both streams, so
//                             JetStream recognises a retry whose answer was lost (2-minute window).
//   core subject <prefix>.relay: pushes for the other hubs' sockets, at most once (relay-frame.ts).
// Agent ids are base64url in subjects and keys (NATS tokens allow no dots or spaces).
//
// Reads go to each stream's leader, never a direct get: on a replicated stream any replica may
// answer a direct get, and a follower can answer with less than was already acknowledged (a
// drain would then skip a stored message). The same holds for the buckets.
//
// Every write resolves once JetStream acknowledged it (stored on the stream's replicas). Which
// messages a cap or TTL removes is message-retention.ts's; the limits are runtime/messaging.ts's.
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type MsgRequest, type StoredMsg } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { fail, ok, type Result } from '../domain/errors.ts';
import type { ChannelRecord } from '../channel-store.ts';
import type { MailboxRead, Retained } from '../mailbox-store.ts';
import { capEvictions, firstKeptSeq, overCap, sweepEvictions } from '../message-retention.ts';
import type { MessagingEngine } from '../messaging-engine.ts';
import { parseRelayFrame, type RelayFrame } from '../relay-frame.ts';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { answerReuse, channelSend, directSend, refuseReuse, type ClientSend } from '../client-message-reuse.ts';
import { newMessageId, type Accepted, type NewMessage, type StoredMessage } from '../stored-message.ts';
import { BucketFeed, type FeedEvents } from './bucket-feed.ts';
import { isRevisionConflict } from './nats-cluster.ts';

export interface JetStreamMessagingOptions {
  connection: NatsConnection;
  /** This hub's name: frames it relays carry it, and it ignores its own. */
  hubName: string;
  prefix?: string;
  replicas?: number;
  /** How often the known mailbox seq is read again from the stream (a lost relay frame is made good). */
  refreshMs?: number;
  onError?: (message: string, error: unknown) => void;
  /** The channel bucket's feed restarting after a stall (a NATS node lost). */
  feedEvents?: FeedEvents;
  /** How long a send waits for another send's claim of its client id to be answered before taking the claim over (default 15 s). */
  claimWaitMs?: number;
}

interface Remembered {
  id: string;
  seq: number | null;
  timestamp: number;
  send?: ClientSend;
}

/** A client id claimed by a send still under way: no answer yet. */
interface Claimed {
  claimed: true;
  send: ClientSend;
  /** For pruning, as a Remembered's. */
  timestamp: number;
}

interface Subscription_ {
  agent_id: string;
  at: number;
}

const casAttempts = 16;
/** Client ids are pruned at most this often: each prune reads every remembered id. */
const pruneEveryMs = 10 * 60_000;
/**
 * Longer than a publish may take (the JetStream client's 10 s timeout): a claim unanswered that
 * long is its hub's that died or lost NATS, and is taken over so the id is not blocked for a day.
 */
const claimWaitMs = 15_000;
/** How often a send waiting for another's claim reads it again (only two sends racing with one id wait). */
const claimPollMs = 20;

/** `Frame`: what the hub relays to the other hubs' agents on a topic (messaging-engine.ts). */
export class JetStreamMessaging<Frame extends { type: string }> implements MessagingEngine<Frame> {
  readonly spansHubs = true;
  private known = 0;
  private listener: (frame: RelayFrame) => void = () => {};
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly subscribers = new Map<string, Map<string, number>>();
  private readonly subscriptions = new Map<string, Set<string>>();
  private viewRevision = 0;
  private readonly revisionWaiters: Array<{ revision: number; resolve: () => void }> = [];
  private feed: BucketFeed | null = null;
  private relaySubscription: Subscription | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  private readonly mailStream: string;
  private readonly historyStream: string;
  private readonly subjects: { mailbox: string; history: string; relay: string };

  private constructor(
    private readonly options: JetStreamMessagingOptions,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly channelBucket: KV,
    private readonly clientIds: KV,
    prefix: string,
  ) {
    this.mailStream = `${prefix}_mailbox`;
    this.historyStream = `${prefix}_history`;
    this.subjects = { mailbox: `${prefix}.mailbox`, history: `${prefix}.history`, relay: `${prefix}.relay` };
  }

  /** Creates (or opens) the streams and buckets, loads the channel view, and joins the relay subject. */
  static async open<Frame extends { type: string }>(options: JetStreamMessagingOptions): Promise<JetStreamMessaging<Frame>> {
    const prefix = options.prefix ?? 'agentcom';
    const replicas = options.replicas ?? 1;
    const js = jetstream(options.connection, { timeout: 10_000 });
    const jsm = await jetstreamManager(options.connection, { timeout: 10_000 });
    for (const [name, subject] of [[`${prefix}_mailbox`, `${prefix}.mailbox.*`], [`${prefix}_history`, `${prefix}.history.*.*`]]) {
      await addStream(jsm, {
        name, subjects: [subject], storage: StorageType.File, num_replicas: replicas, allow_direct: false, retention: RetentionPolicy.Limits,
      });
    }
    const kvm = new Kvm(js);
    const consistent = { history: 1, replicas, storage: StorageType.File, allow_direct: false };
    const channelBucket = await kvm.create(`${prefix}_channels`, consistent);
    const clientIds = await kvm.create(`${prefix}_client_ids`, consistent);
    const engine = new JetStreamMessaging<Frame>(options, js, jsm, channelBucket, clientIds, prefix);
    // A start that fails midway (a consumer not made after a node loss) leaves no timer running on the closed connection.
    await engine.start().catch(async (error: unknown) => {
      await engine.close();
      throw error;
    });
    return engine;
  }

  get lastSeq(): number {
    return this.known;
  }

  // --- mailboxes ---------------------------------------------------------------------------------

  async appendMail(to: string, message: NewMessage, clientMsgId: string | null, cap: Retained, now: number): Promise<Result<Accepted>> {
    try {
      const send = directSend(to);
      const subject = this.mailSubject(to);
      const accepted = await this.sendOnce(message.from, clientMsgId, send, now, async () => {
        const stored: StoredMessage = { ...message, seq: 0, id: newMessageId(), to, channel: null, timestamp: now };
        // The msg id makes a retry within the stream's duplicate window one message even when its client id was lost.
        const ack = await this.js.publish(subject, JSON.stringify(stored), clientMsgId === null ? undefined : { msgID: clientIdKey(message.from, clientMsgId) });
        this.known = Math.max(this.known, ack.seq);
        if (!ack.duplicate) return ok({ id: stored.id, seq: ack.seq, timestamp: now, duplicate: false });
        // The msg id is the stream's, not the mailbox's: the message JetStream kept may be to another agent.
        const first = await this.firstSent(this.mailStream, ack.seq);
        return answerReuse(String(clientMsgId), first.send, send, first.accepted);
      });
      // The message is stored: a cap that cannot be applied now is the sweep's to apply, not a failed send.
      if (accepted.ok && !accepted.value.duplicate) await this.keepCap(subject, cap).catch((error: unknown) => this.options.onError?.('mailbox cap not applied', error));
      return accepted;
    } catch (error) {
      return storageFailure(error);
    }
  }

  async readMail(agentId: string, query: MailboxRead): Promise<StoredMessage[]> {
    const messages: StoredMessage[] = [];
    for await (const message of this.messagesOf(this.mailStream, this.mailSubject(agentId), query.sinceSeq + 1)) {
      if (message.timestamp < query.notBefore) continue;
      messages.push(message);
      if (messages.length >= query.limit) break;
    }
    return messages;
  }

  async ackMail(agentId: string, upToSeq: number): Promise<number> {
    const purged = await this.jsm.streams.purge(this.mailStream, { filter: this.mailSubject(agentId), seq: upToSeq + 1 });
    return purged.purged;
  }

  /** Reads only the mailboxes past the cap, or whose oldest message has expired. */
  async evictMail(notBefore: number, cap: number): Promise<number> {
    let evicted = 0;
    for (const [subject, count] of Object.entries(await this.subjectCounts(this.mailStream, `${this.subjects.mailbox}.*`))) {
      const oldest = await this.readAt(this.mailStream, { seq: 0, next_by_subj: subject });
      if (count <= cap && (!oldest || oldest.json<StoredMessage>().timestamp >= notBefore)) continue;
      const messages: Array<{ seq: number; timestamp: number }> = [];
      for await (const message of this.messagesOf(this.mailStream, subject, 0)) messages.push(message);
      for (const seq of sweepEvictions(messages, notBefore, cap)) {
        if (await this.jsm.streams.deleteMessage(this.mailStream, seq, false).catch(() => false)) evicted += 1;
      }
    }
    return evicted;
  }

  // --- client message ids ------------------------------------------------------------------------

  /** The answer is known before anything is sent (a broadcast is not stored), so the claim is the answer. */
  async acceptOnce(sender: string, clientMsgId: string, send: ClientSend, fresh: Accepted): Promise<Result<Accepted>> {
    try {
      const claim = await this.claim(sender, clientMsgId, send, remembered(fresh, send));
      return 'answer' in claim ? claim.answer : ok(fresh);
    } catch (error) {
      return storageFailure(error);
    }
  }

  async pruneClientIds(cutoff: number): Promise<number> {
    if (Date.now() - this.lastPrune < pruneEveryMs) return 0;
    this.lastPrune = Date.now();
    let pruned = 0;
    for await (const key of await this.clientIds.keys()) {
      const entry = await this.clientIds.get(key);
      if (entry?.operation !== 'PUT' || entry.json<Remembered | Claimed>().timestamp >= cutoff) continue;
      await this.clientIds.delete(key, { previousSeq: entry.revision }).then(() => { pruned += 1; }, () => {});
    }
    return pruned;
  }

  // --- channels ----------------------------------------------------------------------------------

  async createChannel(name: string, description: string, createdBy: string | null, now: number): Promise<Result<ChannelRecord>> {
    const record: ChannelRecord = { name, description, created_at: now, created_by: createdBy, first_seq: 1, last_seq: 0 };
    try {
      const revision = await this.channelBucket.create(channelKey(name), JSON.stringify(record));
      this.takeChannel(record, revision);
      return ok(record);
    } catch (error) {
      return isRevisionConflict(error) ? fail('AC_ERR_CHANNEL_EXISTS', name) : storageFailure(error);
    }
  }

  getChannel(name: string): ChannelRecord | undefined {
    return this.channels.get(name);
  }

  listChannels(): ChannelRecord[] {
    return [...this.channels.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  subscriberCount(name: string): number {
    return this.subscribers.get(name)?.size ?? 0;
  }

  subscribersOf(name: string): string[] {
    return [...(this.subscribers.get(name)?.keys() ?? [])].sort();
  }

  subscriptionsOf(agentId: string): string[] {
    return [...(this.subscriptions.get(agentId) ?? [])].sort();
  }

  async subscribe(agentId: string, name: string, now: number): Promise<Result<{ already: boolean }>> {
    try {
      if (!(await this.channelExists(name))) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
      const value: Subscription_ = { agent_id: agentId, at: now };
      const revision = await this.channelBucket.create(subscriptionKey(name, agentId), JSON.stringify(value));
      this.takeSubscription(name, agentId, now, revision);
      return ok({ already: false });
    } catch (error) {
      return isRevisionConflict(error) ? ok({ already: true }) : storageFailure(error);
    }
  }

  async unsubscribe(agentId: string, name: string): Promise<Result<{ was: boolean }>> {
    try {
      if (!(await this.channelExists(name))) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
      const key = subscriptionKey(name, agentId);
      const entry = await this.channelBucket.get(key);
      if (entry?.operation !== 'PUT') return ok({ was: false });
      await this.channelBucket.delete(key);
      this.dropSubscription(name, agentId, entry.revision + 1);
      return ok({ was: true });
    } catch (error) {
      return storageFailure(error);
    }
  }

  /**
   * The record's CAS hands out the seq (one hub wins each seq), then the message is stored and the
   * history cut to its newest `cap`. A hub that dies between the two leaves that seq unused: the
   * sender was not told "published", and nobody received it. A client id is claimed before the
   * CAS (sendOnce), so concurrent sends with one id publish once.
   */
  async publishChannel(name: string, message: NewMessage, clientMsgId: string | null, cap: number, now: number): Promise<Result<Accepted>> {
    try {
      const published = await this.sendOnce(message.from, clientMsgId, channelSend(name), now, () => this.storeInChannel(name, message, clientMsgId, cap, now));
      if (published.ok && !published.value.duplicate) await this.jsm.streams.purge(this.historyStream, { filter: `${this.subjects.history}.${name}.*`, keep: cap });
      return published;
    } catch (error) {
      return storageFailure(error);
    }
  }

  /**
   * The record's CAS, then the message stored under the seq it handed out. The client id is the
   * msg id, as for a direct message: a retry within the stream's duplicate window whose client id
   * was lost stores nothing and gets the first answer (its seq stays unused, as a dying hub's).
   */
  private async storeInChannel(name: string, message: NewMessage, clientMsgId: string | null, cap: number, now: number): Promise<Result<Accepted>> {
    for (let attempt = 0; attempt < casAttempts; attempt++) {
      const entry = await this.channelBucket.get(channelKey(name));
      if (entry?.operation !== 'PUT') return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
      const record = entry.json<ChannelRecord>();
      const seq = record.last_seq + 1;
      const next: ChannelRecord = { ...record, last_seq: seq, first_seq: firstKeptSeq(record.first_seq, seq, cap) };
      let revision: number;
      try {
        revision = await this.channelBucket.update(channelKey(name), JSON.stringify(next), entry.revision);
      } catch (error) {
        if (isRevisionConflict(error)) continue;
        throw error;
      }
      this.takeChannel(next, revision);
      const stored: StoredMessage = { ...message, seq, id: newMessageId(), to: null, channel: name, timestamp: now };
      const msgID = clientMsgId === null ? `${name}:${seq}` : clientIdKey(message.from, clientMsgId);
      const ack = await this.js.publish(`${this.subjects.history}.${name}.${seq}`, JSON.stringify(stored), { msgID });
      if (!ack.duplicate || clientMsgId === null) return ok({ id: stored.id, seq, timestamp: now, duplicate: false });
      const first = await this.firstSent(this.historyStream, ack.seq);
      // Cut from the history since (a busy channel under its cap): its seq, the answer, went with it.
      if (first.accepted.seq === null) return fail('AC_ERR_STORAGE', `client message id ${clientMsgId} was published before and has left the channel's history`);
      return answerReuse(clientMsgId, first.send, channelSend(name), first.accepted);
    }
    return fail('AC_ERR_STORAGE', `channel ${name} kept changing under ${casAttempts} compare-and-set attempts`);
  }

  /** One direct get per seq from the record's range: a seq a dying hub left unused is skipped. */
  async history(name: string, sinceSeq: number, limit: number): Promise<Result<StoredMessage[]>> {
    try {
      const entry = await this.channelBucket.get(channelKey(name));
      if (entry?.operation !== 'PUT') return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
      const record = entry.json<ChannelRecord>();
      const messages: StoredMessage[] = [];
      for (let seq = Math.max(sinceSeq + 1, record.first_seq); seq <= record.last_seq && messages.length < limit; seq++) {
        const found = await this.readAt(this.historyStream, { last_by_subj: `${this.subjects.history}.${name}.${seq}` });
        if (found) messages.push(found.json<StoredMessage>());
      }
      return ok(messages);
    } catch (error) {
      return storageFailure(error);
    }
  }

  async trimChannels(cap: number): Promise<number> {
    let removed = 0;
    for (const record of this.listChannels()) {
      const purged = await this.jsm.streams.purge(this.historyStream, { filter: `${this.subjects.history}.${record.name}.*`, keep: cap });
      removed += purged.purged;
      const entry = await this.channelBucket.get(channelKey(record.name));
      if (entry?.operation !== 'PUT') continue;
      const current = entry.json<ChannelRecord>();
      const firstSeq = firstKeptSeq(current.first_seq, current.last_seq, cap);
      // Lost to a concurrent publish, which wrote its own first_seq under the same cap.
      if (firstSeq !== current.first_seq) await this.channelBucket.update(channelKey(record.name), JSON.stringify({ ...current, first_seq: firstSeq }), entry.revision).catch(() => {});
    }
    return removed;
  }

  // --- the other hubs ----------------------------------------------------------------------------

  relayTopic(topic: string, frame: Frame): void {
    this.publishRelay({ kind: 'topic', hub: this.options.hubName, topic, frame });
  }

  relayMail(to: string, seq: number): void {
    this.publishRelay({ kind: 'mail', hub: this.options.hubName, to, seq });
  }

  relayMembership(agentId: string, topic: string, joined: boolean): void {
    this.publishRelay({ kind: 'membership', hub: this.options.hubName, agent_id: agentId, topic, joined });
  }

  onRelay(listener: (frame: RelayFrame) => void): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.relaySubscription?.unsubscribe();
    await this.feed?.stop();
  }

  // --- internals ---------------------------------------------------------------------------------

  private async start(): Promise<void> {
    this.relaySubscription = this.options.connection.subscribe(this.subjects.relay, {
      callback: (error, message) => {
        if (error) return this.options.onError?.('relay subscription failed', error);
        let data: unknown;
        try {
          data = message.json();
        } catch (parseError) {
          return this.options.onError?.('relay frame is not JSON', parseError);
        }
        const parsed = parseRelayFrame(data);
        if ('error' in parsed) return this.options.onError?.('relay frame refused', parsed.error);
        if (parsed.frame.hub === this.options.hubName) return;
        if (parsed.frame.kind === 'mail') this.known = Math.max(this.known, parsed.frame.seq);
        this.listener(parsed.frame);
      },
    });
    await this.refreshKnown();
    this.refreshTimer = setInterval(() => void this.refreshKnown(), this.options.refreshMs ?? 5000);
    this.refreshTimer.unref();
    this.feed = await BucketFeed.start(this.channelBucket, (entry) => this.take(entry), { name: 'channels', ...this.options.feedEvents });
    await this.caughtUp();
  }

  private publishRelay(frame: RelayFrame): void {
    try {
      this.options.connection.publish(this.subjects.relay, JSON.stringify(frame));
    } catch (error) {
      this.options.onError?.('relay publish failed', error);
    }
  }

  private async refreshKnown(): Promise<void> {
    try {
      const info = await this.jsm.streams.info(this.mailStream);
      this.known = Math.max(this.known, info.state.last_seq);
    } catch (error) {
      this.options.onError?.('mailbox stream unreadable', error);
    }
  }

  /** Waits until the channel view includes every change made before the call. */
  private async caughtUp(): Promise<void> {
    const status = await this.channelBucket.status();
    const last = status.streamInfo.state.last_seq;
    if (this.viewRevision >= last) return;
    await new Promise<void>((resolve) => this.revisionWaiters.push({ revision: last, resolve }));
  }

  private take(entry: KvEntry): void {
    const [kind, name, agentKey] = entry.key.split('.');
    if (kind === 'c' && name) {
      if (entry.operation === 'PUT') this.takeChannel(entry.json<ChannelRecord>(), entry.revision);
      else this.channels.delete(name);
    } else if (kind === 's' && name && agentKey) {
      const agentId = Buffer.from(agentKey, 'base64url').toString('utf8');
      if (entry.operation === 'PUT') this.takeSubscription(name, agentId, entry.json<Subscription_>().at, entry.revision);
      else this.dropSubscription(name, agentId, entry.revision);
    }
    this.seen(entry.revision);
  }

  /** Per channel record, the revision it was taken at: a late feed entry never rolls a newer one back. */
  private readonly channelRevisions = new Map<string, number>();

  private takeChannel(record: ChannelRecord, revision: number): void {
    if ((this.channelRevisions.get(record.name) ?? 0) > revision) return;
    this.channelRevisions.set(record.name, revision);
    this.channels.set(record.name, record);
  }

  private takeSubscription(name: string, agentId: string, at: number, revision: number): void {
    this.seen(revision);
    let members = this.subscribers.get(name);
    if (!members) this.subscribers.set(name, (members = new Map()));
    members.set(agentId, at);
    let mine = this.subscriptions.get(agentId);
    if (!mine) this.subscriptions.set(agentId, (mine = new Set()));
    mine.add(name);
  }

  private dropSubscription(name: string, agentId: string, revision: number): void {
    this.seen(revision);
    this.subscribers.get(name)?.delete(agentId);
    this.subscriptions.get(agentId)?.delete(name);
  }

  private seen(revision: number): void {
    this.viewRevision = Math.max(this.viewRevision, revision);
    for (let i = this.revisionWaiters.length - 1; i >= 0; i--) {
      if (this.viewRevision >= this.revisionWaiters[i].revision) {
        this.revisionWaiters[i].resolve();
        this.revisionWaiters.splice(i, 1);
      }
    }
  }

  /** In the view, or (created on another hub a moment ago) in the bucket. */
  private async channelExists(name: string): Promise<boolean> {
    if (this.channels.has(name)) return true;
    const entry = await this.channelBucket.get(channelKey(name));
    if (entry?.operation !== 'PUT') return false;
    this.takeChannel(entry.json<ChannelRecord>(), entry.revision);
    return true;
  }

  /**
   * Runs `deliver` at most once per (sender, client id), on any hub: the id is claimed first, the
   * answer written over the claim once delivered. A send that delivered nothing (refused, or its
   * publish failed) releases the claim, so a retry can send.
   */
  private async sendOnce(sender: string, clientMsgId: string | null, send: ClientSend, now: number, deliver: () => Promise<Result<Accepted>>): Promise<Result<Accepted>> {
    if (clientMsgId === null) return deliver();
    const claim = await this.claim(sender, clientMsgId, send, { claimed: true, send, timestamp: now });
    if ('answer' in claim) return claim.answer;
    const key = clientIdKey(sender, clientMsgId);
    const delivered = await deliver().catch(async (error: unknown) => {
      await this.release(key, claim.revision);
      throw error;
    });
    if (!delivered.ok) {
      await this.release(key, claim.revision);
      return delivered;
    }
    // Sent: the sender is told so even when the answer cannot be written. A retry then claims the id
    // again (at once, or after the claim wait if the claim is left) and publishes with the same msg
    // id: within the stream's duplicate window JetStream stores nothing and the retry gets this answer.
    await this.clientIds.update(key, JSON.stringify(remembered(delivered.value, send)), claim.revision)
      .catch((error: unknown) => this.options.onError?.(`client message id ${clientMsgId} sent but its answer not remembered`, error));
    return delivered;
  }

  /**
   * Claims (sender, id) for `send` with `value` (a claim, or a broadcast's answer), or answers a
   * reuse (client-message-reuse.ts). An id another send claimed and has not answered yet: another
   * send is refused at once; the same send waits for the answer (a retry racing its first try
   * gets the first answer, not an error to retry again), or claims the id again if the first
   * released it, or takes the claim over once it has waited `claimWaitMs` for it.
   */
  private async claim(sender: string, clientMsgId: string, send: ClientSend, value: Remembered | Claimed): Promise<{ revision: number } | { answer: Result<Accepted> }> {
    const key = clientIdKey(sender, clientMsgId);
    const body = JSON.stringify(value);
    const waitMs = this.options.claimWaitMs ?? claimWaitMs;
    let waitedFor = 0;
    let waitingSince = 0;
    for (;;) {
      try {
        return { revision: await this.clientIds.create(key, body) };
      } catch (error) {
        if (!isRevisionConflict(error)) throw error;
      }
      const entry = await this.clientIds.get(key);
      if (entry?.operation !== 'PUT') continue;
      const found = entry.json<Remembered | Claimed>();
      if (!('claimed' in found)) {
        return { answer: answerReuse(clientMsgId, found.send, send, { id: found.id, seq: found.seq, timestamp: found.timestamp, duplicate: true }) };
      }
      const refused = refuseReuse(clientMsgId, found.send, send);
      if (refused) return { answer: refused };
      if (entry.revision !== waitedFor) {
        waitedFor = entry.revision;
        waitingSince = Date.now();
      } else if (Date.now() - waitingSince >= waitMs) {
        try {
          return { revision: await this.clientIds.update(key, body, entry.revision) };
        } catch (error) {
          if (!isRevisionConflict(error)) throw error;
          continue;
        }
      }
      await sleepFor(claimPollMs);
    }
  }

  /** Only the claim it took: one taken over meanwhile is the new claimant's. */
  private async release(key: string, revision: number): Promise<void> {
    await this.clientIds.delete(key, { previousSeq: revision })
      .catch((error: unknown) => this.options.onError?.('client message id claim not released; taken over after the claim wait', error));
  }

  /**
   * The first answer to a send JetStream recognised as a duplicate by its msg id, and that send:
   * the message it stored then, at `streamSeq` of `stream`. A mailbox message's seq is its stream
   * seq; a channel message's is its channel's, stored in it.
   */
  private async firstSent(stream: string, streamSeq: number): Promise<{ accepted: Accepted; send: ClientSend | undefined }> {
    const original = await this.readAt(stream, { seq: streamSeq });
    const message = original ? original.json<StoredMessage>() : null;
    return {
      accepted: { id: message?.id ?? '', seq: stream === this.mailStream ? streamSeq : message?.seq ?? null, timestamp: message?.timestamp ?? 0, duplicate: true },
      send: message?.to ? directSend(message.to) : message?.channel ? channelSend(message.channel) : undefined,
    };
  }

  /** The per-agent cap at a send (message-retention.ts decides which go): one purge of the oldest. */
  private async keepCap(subject: string, cap: Retained): Promise<void> {
    const count = (await this.subjectCounts(this.mailStream, subject))[subject] ?? 0;
    const over = overCap(count, cap.maxMessages);
    if (over === 0) return;
    const oldest: number[] = [];
    for await (const message of this.messagesOf(this.mailStream, subject, 0)) {
      oldest.push(message.seq);
      if (oldest.length >= over) break;
    }
    const doomed = capEvictions(oldest, cap.evictableUpToSeq);
    if (doomed.length > 0) await this.jsm.streams.purge(this.mailStream, { filter: subject, seq: doomed.at(-1)! + 1 });
  }

  private async subjectCounts(stream: string, filter: string): Promise<Record<string, number>> {
    const info = await this.jsm.streams.info(stream, { subjects_filter: filter });
    return info.state.subjects ?? {};
  }

  /**
   * The stored messages of one mailbox subject from stream seq `fromSeq` on, oldest first, one
   * direct get each; a mailbox message's seq is its stream seq.
   */
  private async *messagesOf(stream: string, subject: string, fromSeq: number): AsyncGenerator<StoredMessage> {
    let next = fromSeq;
    for (;;) {
      const found = await this.readAt(stream, { seq: next, next_by_subj: subject });
      if (!found) return;
      const message = found.json<StoredMessage>();
      yield { ...message, seq: found.seq };
      next = found.seq + 1;
    }
  }

  /**
   * One stored message from the stream's leader (the JetStream API's message get, not a direct
   * get); null when there is none. The server takes `next_by_subj` there too (2.9 and later);
   * the client's type for it only lists the direct get's.
   */
  private async readAt(stream: string, query: { seq: number; next_by_subj?: string } | { last_by_subj: string }): Promise<StoredMsg | null> {
    return this.jsm.streams.getMessage(stream, query as MsgRequest).catch(notFoundAsNull);
  }

  private mailSubject(agentId: string): string {
    return `${this.subjects.mailbox}.${token(agentId)}`;
  }
}

/** Creates a stream, or leaves one that exists (created by another hub) as it is. */
async function addStream(jsm: JetStreamManager, config: Parameters<JetStreamManager['streams']['add']>[0]): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === streamNameInUse) return;
    throw error;
  }
}

/** JetStream's code for a stream name taken with another config (not in the client's list). */
const streamNameInUse = 10058;

function notFoundAsNull(error: unknown): null {
  if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) return null;
  if (error instanceof Error && /no message found|404/i.test(error.message)) return null;
  throw error;
}

const token = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const channelKey = (name: string) => `c.${name}`;
const subscriptionKey = (name: string, agentId: string) => `s.${name}.${token(agentId)}`;
const clientIdKey = (sender: string, clientMsgId: string) => `${token(sender)}.${token(clientMsgId)}`;
const remembered = (accepted: Accepted, send: ClientSend): Remembered => ({ id: accepted.id, seq: accepted.seq, timestamp: accepted.timestamp, send });

function storageFailure(error: unknown): Result<never> {
  return fail('AC_ERR_STORAGE', error instanceof Error ? error.message : String(error));
}
