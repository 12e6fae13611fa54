// Direct and broadcast messages, mailboxes and channels, as the agent socket and the HTTP API use them.
import type { Result } from '../../storage/domain/errors.ts';
import type { AnyAgentLink } from '../../storage/domain/agent-link.ts';
import type { Static } from '@sinclair/typebox';
import type { channelViewSchema } from '../protocol/messaging-replies.ts';
import type { ChannelDetail, MailboxPage, RetentionSettings } from '../protocol/messaging-http.ts';
import type { AgentOutboundFrame } from '../protocol/index.ts';

/** What a sender hands the hub; `to` null or "broadcast" means every connected agent but the sender. */
export interface OutgoingMessage {
  to: string | null;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
  /** Ours: the same id from the same sender gets the first answer again, and nothing is sent twice. */
  client_msg_id: string | null;
}

export interface MessageSent {
  id: string;
  /** Mailbox seq of a direct message; null for a broadcast. */
  seq: number | null;
  duplicate: boolean;
  kind: 'direct' | 'broadcast';
}

/** A stored message as the mailbox and channel history return it. */
export interface MessageView {
  seq: number;
  id: string;
  from: string;
  to?: string;
  channel?: string;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
  timestamp: number;
}

export type ChannelView = Static<typeof channelViewSchema>;
export type { ChannelDetail, MailboxPage, RetentionSettings };

export interface ChannelPublished {
  channel: string;
  seq: number;
  id: string;
  duplicate: boolean;
}

/**
 * uWS pub/sub as the hub sees it: the transport subscribes sockets to topics and
 * fans a frame out in C++, serialised once, instead of a JS loop over sockets.
 */
export interface TopicFanout {
  subscribe(link: AnyAgentLink, topic: string): void;
  unsubscribe(link: AnyAgentLink, topic: string): void;
  /** Sends to every socket subscribed to `topic` except the one behind `from`. */
  publish(topic: string, frame: AgentOutboundFrame, from: AnyAgentLink | null): void;
}

/** Direct and broadcast messages, mailboxes, channels (reference §2, §4). Names are normalised here. */
export interface MessagingPort {
  /** Called once by the transport at start. */
  attachFanout(fanout: TopicFanout): void;
  /** The agent's socket has room again: pushes paused for its send buffer resume. */
  socketDrained(agentId: string): void;
  /** `sender` is an agent id, or `admin:<name>` for an admin over HTTP. */
  send(sender: string, message: OutgoingMessage): Promise<Result<MessageSent>>;
  readMailbox(agentId: string, sinceSeq: number, limit: number): Promise<Result<MailboxPage>>;
  /** Removes every message of the agent up to and including `upToSeq`. */
  ackMailbox(agentId: string, upToSeq: number): Promise<Result<{ up_to: number; count: number }>>;
  listChannels(): ChannelView[];
  channel(name: string): Result<ChannelDetail>;
  createChannel(name: string, description: string, createdBy: string | null): Promise<Result<ChannelView>>;
  subscribe(agentId: string, channel: string): Promise<Result<{ channel: string; already: boolean }>>;
  unsubscribe(agentId: string, channel: string): Promise<Result<{ channel: string; was: boolean }>>;
  publish(sender: string, channel: string, message: Omit<OutgoingMessage, 'to'>): Promise<Result<ChannelPublished>>;
  history(channel: string, sinceSeq: number, limit: number): Promise<Result<{ channel: string; messages: MessageView[] }>>;
  subscriptionsOf(agentId: string): string[];
  retention(): RetentionSettings;
  setRetention(settings: Partial<RetentionSettings>): Promise<Result<RetentionSettings>>;
}
