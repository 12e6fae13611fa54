// The messaging engine: what agent messaging (runtime/messaging.ts) needs from storage and
// from the other hubs, the way storage/queue-engine.ts is what the hub needs of the queue.
//
// LMDB (lmdb-messaging.ts) keeps mailboxes, channels and client ids in the data dir and has
// no other hubs. JetStream (jetstream/jetstream-messaging.ts) keeps them on the NATS cluster,
// so every hub on it sees the same mailboxes and channels, and relays pushes to the other
// hubs over a core NATS subject. The rules (caps, TTL, first-answer dedup, seq order) are
// decided once: runtime/messaging.ts chooses the limits, message-retention.ts which messages
// a limit removes, client-message-reuse.ts whether a reused client id is a retry; an engine
// only stores and applies.
//
// Every write resolves once durable (and replicated, where the engine replicates). Channel
// records and subscriptions are small and read synchronously from the engine's view; message
// reads (mailbox, history) are asynchronous, because on a network they are.
//
// `Frame` is what may be relayed to the agents on a topic. Storage cannot name the agent frames
// (they are the static types of web/protocol's schemas, outside it), so the hub that holds the
// engine says which (as with AgentLink<Frame>, storage/domain/agent-link.ts). It is an input
// (`in`): an engine that relays every frame (LMDB relays none) serves where any is asked for.
import type { Result } from './domain/errors.ts';
import type { ChannelRecord } from './channel-store.ts';
import type { ClientSend } from './client-message-reuse.ts';
import type { MailboxRead, Retained } from './mailbox-store.ts';
import type { RelayFrame } from './relay-frame.ts';
import type { Accepted, NewMessage, StoredMessage } from './stored-message.ts';

export interface MessagingEngine<in Frame extends { type: string }> {
  /** True when other hubs share these mailboxes and channels (JetStream). */
  readonly spansHubs: boolean;
  /** The highest mailbox seq known durable here: pushes never pass it. Moves with appends here and elsewhere. */
  readonly lastSeq: number;

  // --- mailboxes -----------------------------------------------------------------------------
  /**
   * Stores a direct message in `to`'s mailbox. A repeated (sender, client id) writes nothing: a retry
   * gets the first answer, an id first used for another send AC_ERR_CLIENT_MSG_ID_CONFLICT
   * (client-message-reuse.ts); the same for every send below that takes a client id.
   */
  appendMail(to: string, message: NewMessage, clientMsgId: string | null, cap: Retained, now: number): Promise<Result<Accepted>>;
  /** The agent's messages after `sinceSeq`, in seq order, skipping expired ones. */
  readMail(agentId: string, query: MailboxRead): Promise<StoredMessage[]>;
  /** Removes the agent's messages up to and including `upToSeq`; resolves with how many. */
  ackMail(agentId: string, upToSeq: number): Promise<number>;
  /** Retention: removes expired messages and each agent's oldest past `cap`; resolves with how many. */
  evictMail(notBefore: number, cap: number): Promise<number>;

  // --- client message ids --------------------------------------------------------------------
  /** For a send that stores nothing else (a broadcast): the answer to a reuse of (sender, id), or `fresh` remembered with `send`. */
  acceptOnce(sender: string, clientMsgId: string, send: ClientSend, fresh: Accepted): Promise<Result<Accepted>>;
  /** Forgets client ids remembered before `cutoff`; resolves with how many. */
  pruneClientIds(cutoff: number): Promise<number>;

  // --- channels ------------------------------------------------------------------------------
  createChannel(name: string, description: string, createdBy: string | null, now: number): Promise<Result<ChannelRecord>>;
  getChannel(name: string): ChannelRecord | undefined;
  listChannels(): ChannelRecord[];
  subscriberCount(name: string): number;
  subscribersOf(name: string): string[];
  subscriptionsOf(agentId: string): string[];
  subscribe(agentId: string, name: string, now: number): Promise<Result<{ already: boolean }>>;
  unsubscribe(agentId: string, name: string): Promise<Result<{ was: boolean }>>;
  /** Gives the message the channel's next seq and keeps the newest `cap` of its history. */
  publishChannel(name: string, message: NewMessage, clientMsgId: string | null, cap: number, now: number): Promise<Result<Accepted>>;
  history(name: string, sinceSeq: number, limit: number): Promise<Result<StoredMessage[]>>;
  /** Cuts every channel's history to its newest `cap` (the cap was lowered); resolves with how many went. */
  trimChannels(cap: number): Promise<number>;

  // --- the other hubs ------------------------------------------------------------------------
  /** Hands a frame for the agents on `topic` to every other hub (nothing to do for an engine serving one hub). */
  relayTopic(topic: string, frame: Frame): void;
  /** Tells every other hub that `to`'s mailbox grew to `seq` (after it was stored). */
  relayMail(to: string, seq: number): void;
  /** Tells every other hub that `agentId` joined or left `topic` here (its socket may be there). */
  relayMembership(agentId: string, topic: string, joined: boolean): void;
  /**
   * What other hubs relayed, validated as a relay frame; never this hub's own. A topic frame is
   * checked only for its `type`: it came from another process, so the hub checks it against the
   * agent frame schemas before any agent gets it. `lastSeq` already includes a mail frame's seq.
   */
  onRelay(listener: (frame: RelayFrame) => void): void;
  close(): Promise<void>;
}

/** Any engine, as code that relays no topic frame sees it (the conformance suite). */
export type AnyMessagingEngine = MessagingEngine<never>;
