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
//
// Where the messages live is the messaging engine's (storage/messaging-engine.ts): LMDB for
// one hub, JetStream for several. Every push to a topic here is also relayed to the other
// hubs, which push it to their own sockets; a mailbox append tells them the recipient's
// mailbox grew, and the hub that has the recipient connected drains it.
import type { AgentRegistry } from '../actors/agent-registry.ts';
import type { ChannelRecord } from '../storage/channel-store.ts';
import { broadcastSend, channelSend } from '../storage/client-message-reuse.ts';
import type { MessagingEngine } from '../storage/messaging-engine.ts';
import type { RelayFrame } from '../storage/relay-frame.ts';
import type { SettingsStore } from '../storage/settings-store.ts';
import { newMessageId, type Accepted, type NewMessage, type StoredMessage } from '../storage/stored-message.ts';
import { channelTopic, maxChannelNameChars, normaliseChannel } from '../web/protocol/channel-name.ts';
import type { AnyAgentLink } from '../storage/domain/agent-link.ts';
import type { AgentSocketLink } from '../web/ports/agent-sessions-port.ts';
import type { AgentOutboundFrame } from '../web/protocol/index.ts';
import type { ChannelDetail, ChannelPublished, ChannelView, MailboxPage, MessageSent, MessageView, MessagingPort, OutgoingMessage, RetentionSettings, TopicFanout } from '../web/ports/messaging-port.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import type { HubEvents } from './hub-events.ts';
import type { Logger } from './logger.ts';
import { presenceFeed, presenceTopic } from './presence-feed.ts';
import { checkAgentFrame } from '../web/frame-serializer.ts';

export interface MessagingStores {
  /** Mailboxes, channels and client ids, and the other hubs: LMDB or JetStream, chosen at boot. */
  engine: MessagingEngine<AgentOutboundFrame>;
  /** Largest message payload accepted, as JSON bytes. */
  maxPayloadBytes: number;
  /** Above this many connected agents, presence is not pushed to agents (it costs n² frames). */
  presenceMaxAgents: number;
}

export interface MessagingDeps extends MessagingStores {
  settings: SettingsStore;
  agents: AgentRegistry<AgentOutboundFrame>;
  events: HubEvents;
  logger: Logger;
  now: () => number;
  /** True when the agent is connected to another hub of the cluster (never on LMDB). */
  connectedElsewhere?: (agentId: string) => boolean;
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
/** A drain that could not read the mailbox tries again after this long, while the agent stays connected. */
const drainRetryMs = 1000;

export class Messaging implements MessagingPort {
  private fanout: TopicFanout | null = null;
  /** Per agent, the highest mailbox seq handed to one of its sockets by this process. */
  private readonly pushedSeq = new Map<string, number>();
  /** Agents whose mailbox is being drained; true when another drain was asked for meanwhile. */
  private readonly draining = new Map<string, boolean>();
  private readonly engine: MessagingEngine<AgentOutboundFrame>;
  private current: RetentionSettings;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly stopPresence: () => void;
  private readonly log: Logger;

  constructor(private readonly deps: MessagingDeps) {
    this.log = deps.logger.child({ module: 'messaging' });
    this.engine = deps.engine;
    this.current = { ...retentionDefaults, ...deps.settings.get<Partial<RetentionSettings>>(retentionKey) };
    this.stopPresence = presenceFeed(deps.events, deps.agents, deps.presenceMaxAgents, (topic, frame, from) => this.publishTopic(topic, frame, from));
    this.engine.onRelay((frame) => this.relayed(frame));
    this.sweepTimer = setInterval(() => void this.sweep(), retentionSweepMs);
    this.sweepTimer.unref();
  }

  attachFanout(fanout: TopicFanout): void {
    this.fanout = fanout;
  }

  /** On identify: the socket joins broadcast, presence and its channels, then gets what waits in its mailbox. */
  agentConnected(agentId: string, link: AnyAgentLink): void {
    if (this.fanout) {
      this.fanout.subscribe(link, broadcastTopic);
      this.fanout.subscribe(link, presenceTopic);
      for (const channel of this.engine.subscriptionsOf(agentId)) this.fanout.subscribe(link, channelTopic(channel));
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
    // What another hub pushed is that hub's to know: a recipient connected there loses nothing at a send (the sweep caps it).
    const evictableUpToSeq = this.linkOf(to) ? (this.pushedSeq.get(to) ?? 0) : this.deps.connectedElsewhere?.(to) ? 0 : Infinity;
    const cap = { maxMessages: this.current.mailbox_cap, evictableUpToSeq };
    const appended = await this.engine.appendMail(to, fields.value, message.client_msg_id, cap, this.deps.now());
    if (!appended.ok) return appended;
    const { id, seq, duplicate } = appended.value;
    if (!duplicate) {
      if (this.linkOf(to)) this.drain(to);
      else this.engine.relayMail(to, seq!);
    }
    return ok({ id, seq, duplicate, kind: 'direct' });
  }

  private async broadcast(fields: NewMessage, clientMsgId: string | null): Promise<Result<MessageSent>> {
    const fresh: Accepted = { id: newMessageId(), seq: null, timestamp: this.deps.now(), duplicate: false };
    // A broadcast is not stored (offline agents miss it, as in the reference); only its client id is.
    const accepted = clientMsgId === null ? ok(fresh) : await this.engine.acceptOnce(fields.from, clientMsgId, broadcastSend, fresh);
    if (!accepted.ok) return accepted;
    const { id, timestamp, duplicate } = accepted.value;
    if (!duplicate) {
      this.publishTopic(broadcastTopic, {
        type: 'message', id, from: fields.from, to: 'broadcast', message_type: fields.message_type,
        payload: fields.payload, reply_to: fields.reply_to, timestamp,
      }, this.linkOf(fields.from));
    }
    return ok({ id, seq: null, duplicate, kind: 'broadcast' });
  }

  /** Pushes the agent's durable, unpushed mailbox messages in seq order; one drain per agent at a time. */
  private drain(agentId: string): void {
    if (this.draining.has(agentId)) {
      this.draining.set(agentId, true);
      return;
    }
    this.draining.set(agentId, false);
    void this.drainOnce(agentId)
      .catch((error: unknown) => {
        // A mailbox out of reach for a moment (a NATS node lost, a stream electing its leader): try again soon.
        this.log.warning('mailbox push failed; retrying', { code: 'AC_ERR_STORAGE', agent_id: agentId, error: String(error) });
        setTimeout(() => this.drain(agentId), drainRetryMs).unref();
      })
      .finally(() => {
        const again = this.draining.get(agentId);
        this.draining.delete(agentId);
        if (again) this.drain(agentId);
      });
  }

  /** Stops at the first refused send, and when the socket changed while the mailbox was read. */
  private async drainOnce(agentId: string): Promise<void> {
    const link = this.linkOf(agentId);
    if (!link) return;
    let pushed = this.pushedSeq.get(agentId) ?? 0;
    const durableSeq = this.engine.lastSeq;
    if (pushed >= durableSeq) return;
    const waiting = await this.engine.readMail(agentId, { sinceSeq: pushed, limit: Infinity, notBefore: this.ttlCutoff() });
    if (this.linkOf(agentId) !== link) return;
    for (const message of waiting) {
      if (message.seq > durableSeq) break;
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
    this.pushedSeq.set(agentId, durableSeq);
  }

  /** A mailbox on a network (JetStream) may be out of reach: that is AC_ERR_STORAGE, not an internal error. */
  async readMailbox(agentId: string, sinceSeq: number, limit: number): Promise<Result<MailboxPage>> {
    try {
      const messages = (await this.engine.readMail(agentId, { sinceSeq, limit, notBefore: this.ttlCutoff() })).map(messageView);
      return ok({ agent_id: agentId, messages, last_seq: messages.at(-1)?.seq ?? sinceSeq, count: messages.length });
    } catch (error) {
      return fail('AC_ERR_STORAGE', String(error));
    }
  }

  async ackMailbox(agentId: string, upToSeq: number): Promise<Result<{ up_to: number; count: number }>> {
    try {
      const count = await this.engine.ackMail(agentId, upToSeq);
      return ok({ up_to: upToSeq, count });
    } catch (error) {
      return fail('AC_ERR_STORAGE', String(error));
    }
  }

  // --- channels -------------------------------------------------------------------

  listChannels(): ChannelView[] {
    return this.engine.listChannels().map((record) => this.channelView(record));
  }

  channel(name: string): Result<ChannelDetail> {
    const record = this.engine.getChannel(normaliseChannel(name));
    if (!record) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
    return ok({
      ...this.channelView(record), created_by: record.created_by,
      subscribers: this.engine.subscribersOf(record.name), last_seq: record.last_seq,
    });
  }

  async createChannel(name: string, description: string, createdBy: string | null): Promise<Result<ChannelView>> {
    const normal = normaliseChannel(name);
    if (normal.length === 0 || normal.length > maxChannelNameChars) return fail('AC_ERR_CHANNEL_NAME_INVALID', name);
    const created = await this.engine.createChannel(normal, description, createdBy, this.deps.now());
    if (!created.ok) return created;
    this.log.info('channel created', { channel: normal, created_by: createdBy });
    return ok(this.channelView(created.value));
  }

  async subscribe(agentId: string, name: string): Promise<Result<{ channel: string; already: boolean }>> {
    const channel = normaliseChannel(name);
    const done = await this.engine.subscribe(agentId, channel, this.deps.now());
    if (!done.ok) return done;
    const link = this.linkOf(agentId);
    if (!done.value.already) this.publishTopic(channelTopic(channel), { type: 'channel_agent_joined', channel, agent_id: agentId }, link);
    if (link) this.fanout?.subscribe(link, channelTopic(channel));
    else this.engine.relayMembership(agentId, channelTopic(channel), true);
    return ok({ channel, already: done.value.already });
  }

  async unsubscribe(agentId: string, name: string): Promise<Result<{ channel: string; was: boolean }>> {
    const channel = normaliseChannel(name);
    const done = await this.engine.unsubscribe(agentId, channel);
    if (!done.ok) return done;
    const link = this.linkOf(agentId);
    if (link) this.fanout?.unsubscribe(link, channelTopic(channel));
    else this.engine.relayMembership(agentId, channelTopic(channel), false);
    return ok({ channel, was: done.value.was });
  }

  async publish(sender: string, name: string, message: Omit<OutgoingMessage, 'to'>): Promise<Result<ChannelPublished>> {
    const fields = this.newMessage(sender, message);
    if (!fields.ok) return fields;
    const channel = normaliseChannel(name);
    const published = await this.engine.publishChannel(channel, fields.value, message.client_msg_id, this.current.channel_history_cap, this.deps.now());
    if (!published.ok) return published;
    const { id, seq, timestamp, duplicate } = published.value;
    // Only a broadcast has no seq: the engine refuses an id first used for one, unless an older hub
    // remembered it without its send (client-message-reuse.ts counts that as a retry).
    if (seq === null) return fail('AC_ERR_CLIENT_MSG_ID_CONFLICT', String(message.client_msg_id), broadcastSend, channelSend(channel));
    if (!duplicate) {
      // Publishing from the sender's own socket skips it: a channel message is never echoed.
      this.publishTopic(channelTopic(channel), {
        type: 'channel_message', channel, id, seq, from: sender, message_type: fields.value.message_type,
        payload: fields.value.payload, reply_to: fields.value.reply_to, timestamp,
      }, this.linkOf(sender));
    }
    return ok({ channel, seq, id, duplicate });
  }

  async history(name: string, sinceSeq: number, limit: number): Promise<Result<{ channel: string; messages: MessageView[] }>> {
    const channel = normaliseChannel(name);
    const found = await this.engine.history(channel, sinceSeq, limit);
    return found.ok ? ok({ channel, messages: found.value.map(messageView) }) : found;
  }

  subscriptionsOf(agentId: string): string[] {
    return this.engine.subscriptionsOf(agentId);
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
      const evicted = await this.engine.evictMail(this.ttlCutoff(), this.current.mailbox_cap);
      const pruned = await this.engine.pruneClientIds(now - Math.max(this.current.mailbox_ttl_ms, minClientIdWindowMs));
      const trimmed = trimChannels ? await this.engine.trimChannels(this.current.channel_history_cap) : 0;
      // A mailbox notice from another hub that got lost (core NATS delivers at most once) is made good here.
      if (this.engine.spansHubs) for (const entry of this.deps.agents.all()) if (entry.link) this.drain(entry.agentId);
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

  /** To this hub's sockets on `topic` (but `from`'s), and to the other hubs' (none on LMDB). */
  private publishTopic(topic: string, frame: AgentOutboundFrame, from: AnyAgentLink | null): void {
    this.fanout?.publish(topic, frame, from);
    this.engine.relayTopic(topic, frame);
  }

  /** A frame from another process reaches agents only when it is one of the agent frames, whole (web/protocol). */
  private relayTopicFrame(topic: string, frame: { type: string }, hub: string): void {
    const checked = checkAgentFrame(frame);
    if ('problem' in checked) {
      this.log.warning('relayed frame refused', { code: 'AC_ERR_VALIDATION', hub, topic, message_type: frame.type, detail: checked.problem });
      return;
    }
    this.fanout?.publish(topic, checked.frame, null);
  }

  /**
   * Another hub's push: to this hub's sockets on the topic; a mailbox to drain, or a channel
   * joined or left over HTTP there, when its agent is connected here.
   */
  private relayed(frame: RelayFrame): void {
    switch (frame.kind) {
      case 'topic':
        // Past presence_max_agents connected here, presence is not pushed here, whoever sent it.
        if (frame.topic === presenceTopic && this.deps.agents.connectedCount() > this.deps.presenceMaxAgents) return;
        this.relayTopicFrame(frame.topic, frame.frame, frame.hub);
        return;
      case 'mail':
        this.drain(frame.to);
        return;
      case 'membership': {
        const link = this.linkOf(frame.agent_id);
        if (!link || !this.fanout) return;
        if (frame.joined) this.fanout.subscribe(link, frame.topic);
        else this.fanout.unsubscribe(link, frame.topic);
      }
    }
  }

  private linkOf(agentId: string): AgentSocketLink | null {
    return this.deps.agents.get(agentId)?.link ?? null;
  }

  private ttlCutoff(): number {
    return this.deps.now() - this.current.mailbox_ttl_ms;
  }

  private channelView(record: ChannelRecord): ChannelView {
    return {
      name: record.name, description: record.description,
      subscriber_count: this.engine.subscriberCount(record.name), created_at: record.created_at,
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
