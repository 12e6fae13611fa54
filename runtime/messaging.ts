// Agent messaging: routes direct, broadcast and channel messages, keeps mailboxes,
// and pushes presence (reference §2, §4).
//
// Persist, then tell the world, as everywhere in the hub: a direct or channel
// message is on disk before the sender hears `message_sent`, and before anyone
// receives it. Fan-out goes through uWS topics (TopicFanout), never a JS loop.
//
// Mailbox delivery. Every direct message is stored in the recipient's mailbox and
// kept until the agent acks it (POST /api/mailbox/:id/ack) or retention evicts it.
// It is pushed at once when the recipient is connected; otherwise on its next
// identify. The hub remembers, per agent and in memory, the highest seq it handed
// to a socket, so a reconnect pushes only what that agent has not been sent; after
// a hub restart the unacked messages are pushed once more (at least once). A client
// that lost frames in a crash reads GET /api/mailbox/:id?since=<its last ack>.
import type { AgentRegistry } from '../actors/agent-registry.ts';
import type { ChannelRecord, ChannelStore } from '../storage/channel-store.ts';
import type { ClientMessageIds } from '../storage/client-message-ids.ts';
import type { MailboxStore } from '../storage/mailbox-store.ts';
import type { SettingsStore } from '../storage/settings-store.ts';
import { newMessageId, type Accepted, type NewMessage, type StoredMessage } from '../storage/stored-message.ts';
import { channelTopic, maxChannelNameChars, normaliseChannel } from '../web/protocol/channel-name.ts';
import type { AgentLink } from '../storage/domain/agent-link.ts';
import type { ChannelDetail, ChannelPublished, ChannelView, MailboxPage, MessageSent, MessageView, MessagingPort, OutgoingMessage, RetentionSettings, TopicFanout } from '../web/ports/messaging-port.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import type { HubEvents } from './hub-events.ts';
import type { Logger } from './logger.ts';
import { presenceFeed, presenceTopic } from './presence-feed.ts';

export interface MessagingStores {
  mailbox: MailboxStore;
  channels: ChannelStore;
  clientIds: ClientMessageIds;
  /** Largest message payload accepted, as JSON bytes. */
  maxPayloadBytes: number;
  /** Above this many connected agents, presence is not pushed to agents (it costs n² frames). */
  presenceMaxAgents: number;
}

export interface MessagingDeps extends MessagingStores {
  settings: SettingsStore;
  agents: AgentRegistry;
  events: HubEvents;
  logger: Logger;
  now: () => number;
}

/** Reference §12: 7 d and 100 per agent; 200 per channel. */
const retentionDefaults: RetentionSettings = {
  mailbox_ttl_ms: 7 * 24 * 3600_000,
  mailbox_cap: 100,
  channel_history_cap: 200,
};
const retentionSweepMs = 60_000;
/** A retry later than this (or than the mailbox TTL, if longer) is a new message. */
const minClientIdWindowMs = 3600_000;
const retentionKey = 'mailbox_retention';
const broadcastTopic = 'broadcast';
const defaultMessageType = 'chat';
/**
 * Mailbox pushes pause while this much is queued on the recipient's socket and resume
 * on its drain: a large mailbox pushed at identify must not overflow the socket's buffer
 * (which closes it, 4008) and so loop through reconnects.
 */
const pushPauseBytes = 256 * 1024;

export class Messaging implements MessagingPort {
  private fanout: TopicFanout | null = null;
  /** Per agent, the highest mailbox seq handed to one of its sockets by this process. */
  private readonly pushedSeq = new Map<string, number>();
  /** The highest mailbox seq known to be on disk; nothing past it is pushed. */
  private durableSeq: number;
  private current: RetentionSettings;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly stopPresence: () => void;
  private readonly log: Logger;

  constructor(private readonly deps: MessagingDeps) {
    this.log = deps.logger.child({ module: 'messaging' });
    this.durableSeq = deps.mailbox.lastSeq;
    this.current = { ...retentionDefaults, ...deps.settings.get<Partial<RetentionSettings>>(retentionKey) };
    this.stopPresence = presenceFeed(deps.events, deps.agents, deps.presenceMaxAgents, (topic, frame, from) => {
      this.fanout?.publish(topic, frame, from);
    });
    this.sweepTimer = setInterval(() => void this.sweep(), retentionSweepMs);
    this.sweepTimer.unref();
  }

  attachFanout(fanout: TopicFanout): void {
    this.fanout = fanout;
  }

  /** On identify: the socket joins broadcast, presence and its channels, then gets what waits in its mailbox. */
  agentConnected(agentId: string, link: AgentLink): void {
    if (this.fanout) {
      this.fanout.subscribe(link, broadcastTopic);
      this.fanout.subscribe(link, presenceTopic);
      for (const channel of this.deps.channels.subscriptionsOf(agentId)) this.fanout.subscribe(link, channelTopic(channel));
    }
    this.drain(agentId);
  }

  socketDrained(agentId: string): void {
    this.drain(agentId);
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    this.stopPresence();
  }

  // --- direct and broadcast -----------------------------------------------------

  async send(sender: string, message: OutgoingMessage): Promise<Result<MessageSent>> {
    const fields = this.newMessage(sender, message);
    if (!fields.ok) return fields;
    if (message.to === null || message.to === 'broadcast') return this.broadcast(fields.value, message.client_msg_id);
    const to = message.to;
    // The cap may evict only what a connected recipient was already pushed; an offline one keeps the newest.
    const evictableUpToSeq = this.linkOf(to) ? (this.pushedSeq.get(to) ?? 0) : Infinity;
    const cap = { maxMessages: this.current.mailbox_cap, evictableUpToSeq };
    const appended = await this.deps.mailbox.append(to, fields.value, message.client_msg_id, cap, this.deps.now());
    if (!appended.ok) return appended;
    const { id, seq, duplicate } = appended.value;
    if (!duplicate) {
      // Commits resolve in seq order, so every seq up to this one is on disk too.
      this.durableSeq = Math.max(this.durableSeq, seq!);
      this.drain(to);
    }
    return ok({ id, seq, duplicate, kind: 'direct' });
  }

  private async broadcast(fields: NewMessage, clientMsgId: string | null): Promise<Result<MessageSent>> {
    const fresh: Accepted = { id: newMessageId(), seq: null, timestamp: this.deps.now(), duplicate: false };
    // A broadcast is not stored (offline agents miss it, as in the reference); only its client id is.
    const accepted = clientMsgId === null ? ok(fresh) : await this.deps.clientIds.once(fields.from, clientMsgId, fresh);
    if (!accepted.ok) return accepted;
    const { id, timestamp, duplicate } = accepted.value;
    if (!duplicate) {
      this.fanout?.publish(broadcastTopic, {
        type: 'message', id, from: fields.from, to: 'broadcast', message_type: fields.message_type,
        payload: fields.payload, reply_to: fields.reply_to, timestamp,
      }, this.linkOf(fields.from));
    }
    return ok({ id, seq: null, duplicate, kind: 'broadcast' });
  }

  /** Pushes the agent's durable, unpushed mailbox messages in seq order; stops at the first refused send. */
  private drain(agentId: string): void {
    const link = this.linkOf(agentId);
    if (!link) return;
    let pushed = this.pushedSeq.get(agentId) ?? 0;
    if (pushed >= this.durableSeq) return;
    const waiting = this.deps.mailbox.read(agentId, { sinceSeq: pushed, limit: Infinity, notBefore: this.ttlCutoff() });
    for (const message of waiting) {
      if (message.seq > this.durableSeq) break;
      if ((link.bufferedBytes?.() ?? 0) > pushPauseBytes) {
        this.pushedSeq.set(agentId, pushed);
        return;
      }
      // A refused send (socket gone or overflowed) stays unpushed, for the next identify.
      if (!link.send({ type: 'message', ...messageView(message) })) {
        this.pushedSeq.set(agentId, pushed);
        return;
      }
      pushed = message.seq;
    }
    this.pushedSeq.set(agentId, this.durableSeq);
  }

  readMailbox(agentId: string, sinceSeq: number, limit: number): MailboxPage {
    const messages = this.deps.mailbox.read(agentId, { sinceSeq, limit, notBefore: this.ttlCutoff() }).map(messageView);
    return { agent_id: agentId, messages, last_seq: messages.at(-1)?.seq ?? sinceSeq, count: messages.length };
  }

  async ackMailbox(agentId: string, upToSeq: number): Promise<Result<{ up_to: number; count: number }>> {
    const count = await this.deps.mailbox.ack(agentId, upToSeq);
    return ok({ up_to: upToSeq, count });
  }

  // --- channels -------------------------------------------------------------------

  listChannels(): ChannelView[] {
    return this.deps.channels.list().map((record) => this.channelView(record));
  }

  channel(name: string): Result<ChannelDetail> {
    const record = this.deps.channels.get(normaliseChannel(name));
    if (!record) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
    return ok({
      ...this.channelView(record), created_by: record.created_by,
      subscribers: this.deps.channels.subscribersOf(record.name), last_seq: record.last_seq,
    });
  }

  async createChannel(name: string, description: string, createdBy: string | null): Promise<Result<ChannelView>> {
    const normal = normaliseChannel(name);
    if (normal.length === 0 || normal.length > maxChannelNameChars) return fail('AC_ERR_CHANNEL_NAME_INVALID', name);
    const created = await this.deps.channels.create(normal, description, createdBy, this.deps.now());
    if (!created.ok) return created;
    this.log.info('channel created', { channel: normal, created_by: createdBy });
    return ok(this.channelView(created.value));
  }

  async subscribe(agentId: string, name: string): Promise<Result<{ channel: string; already: boolean }>> {
    const channel = normaliseChannel(name);
    const done = await this.deps.channels.subscribe(agentId, channel, this.deps.now());
    if (!done.ok) return done;
    const link = this.linkOf(agentId);
    if (!done.value.already) this.fanout?.publish(channelTopic(channel), { type: 'channel_agent_joined', channel, agent_id: agentId }, link);
    if (link) this.fanout?.subscribe(link, channelTopic(channel));
    return ok({ channel, already: done.value.already });
  }

  async unsubscribe(agentId: string, name: string): Promise<Result<{ channel: string; was: boolean }>> {
    const channel = normaliseChannel(name);
    const done = await this.deps.channels.unsubscribe(agentId, channel);
    if (!done.ok) return done;
    const link = this.linkOf(agentId);
    if (link) this.fanout?.unsubscribe(link, channelTopic(channel));
    return ok({ channel, was: done.value.was });
  }

  async publish(sender: string, name: string, message: Omit<OutgoingMessage, 'to'>): Promise<Result<ChannelPublished>> {
    const fields = this.newMessage(sender, message);
    if (!fields.ok) return fields;
    const channel = normaliseChannel(name);
    const published = await this.deps.channels.publish(channel, fields.value, message.client_msg_id, this.current.channel_history_cap, this.deps.now());
    if (!published.ok) return published;
    const { id, seq, timestamp, duplicate } = published.value;
    if (!duplicate) {
      // Publishing from the sender's own socket skips it: a channel message is never echoed.
      this.fanout?.publish(channelTopic(channel), {
        type: 'channel_message', channel, id, seq, from: sender, message_type: fields.value.message_type,
        payload: fields.value.payload, reply_to: fields.value.reply_to, timestamp,
      }, this.linkOf(sender));
    }
    return ok({ channel, seq: seq!, id, duplicate });
  }

  history(name: string, sinceSeq: number, limit: number): Result<{ channel: string; messages: MessageView[] }> {
    const channel = normaliseChannel(name);
    const found = this.deps.channels.history(channel, sinceSeq, limit);
    return found.ok ? ok({ channel, messages: found.value.map(messageView) }) : found;
  }

  subscriptionsOf(agentId: string): string[] {
    return this.deps.channels.subscriptionsOf(agentId);
  }

  // --- retention ----------------------------------------------------------------------

  retention(): RetentionSettings {
    return { ...this.current };
  }

  /** Persisted, then applied at once: the sweep runs before the call resolves. */
  async setRetention(settings: Partial<RetentionSettings>): Promise<Result<RetentionSettings>> {
    const next = { ...this.current, ...settings };
    // Sweep under the old TTL first: reads already hide what it expired, and a longer TTL must not bring that back.
    await this.sweep();
    await this.deps.settings.set(retentionKey, next);
    const loweredHistoryCap = next.channel_history_cap < this.current.channel_history_cap;
    this.current = next;
    this.log.notice('mailbox retention changed', { ...next });
    await this.sweep(loweredHistoryCap);
    return ok(this.retention());
  }

  /** Evicts expired and over-cap mailbox messages and stale client ids. */
  async sweep(trimChannels = false): Promise<void> {
    try {
      const now = this.deps.now();
      const evicted = await this.deps.mailbox.evict(this.ttlCutoff(), this.current.mailbox_cap);
      const pruned = await this.deps.clientIds.prune(now - Math.max(this.current.mailbox_ttl_ms, minClientIdWindowMs));
      const trimmed = trimChannels ? await this.deps.channels.trimAll(this.current.channel_history_cap) : 0;
      if (evicted + pruned + trimmed > 0) this.log.info('messaging retention sweep', { evicted, pruned_client_ids: pruned, trimmed_history: trimmed });
    } catch (error) {
      this.log.error('messaging retention sweep failed', { code: 'AC_ERR_STORAGE', error: String(error) });
    }
  }

  // --- internals ------------------------------------------------------------------------

  private newMessage(sender: string, message: Omit<OutgoingMessage, 'to'>): Result<NewMessage> {
    const bytes = Buffer.byteLength(JSON.stringify(message.payload));
    if (bytes > this.deps.maxPayloadBytes) return fail('AC_ERR_MESSAGE_TOO_LARGE', bytes, this.deps.maxPayloadBytes);
    return ok({ from: sender, message_type: message.message_type || defaultMessageType, payload: message.payload, reply_to: message.reply_to });
  }

  private linkOf(agentId: string): AgentLink | null {
    return this.deps.agents.get(agentId)?.link ?? null;
  }

  private ttlCutoff(): number {
    return this.deps.now() - this.current.mailbox_ttl_ms;
  }

  private channelView(record: ChannelRecord): ChannelView {
    return {
      name: record.name, description: record.description,
      subscriber_count: this.deps.channels.subscriberCount(record.name), created_at: record.created_at,
    };
  }
}

function messageView(message: StoredMessage): MessageView {
  return {
    seq: message.seq, id: message.id, from: message.from,
    ...(message.to !== null ? { to: message.to } : {}),
    ...(message.channel !== null ? { channel: message.channel } : {}),
    message_type: message.message_type, payload: message.payload, reply_to: message.reply_to, timestamp: message.timestamp,
  };
}
