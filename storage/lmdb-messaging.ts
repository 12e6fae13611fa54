// The messaging engine in the data dir (LMDB): mailbox-store.ts, channel-store.ts and
// client-message-ids.ts behind the engine's seam. One hub, so nothing is relayed: it takes
// every frame, and drops it.
import type { Result } from './domain/errors.ts';
import type { ChannelRecord, ChannelStore } from './channel-store.ts';
import type { ClientMessageIds } from './client-message-ids.ts';
import type { ClientSend } from './client-message-reuse.ts';
import type { MailboxRead, MailboxStore, Retained } from './mailbox-store.ts';
import type { MessagingEngine } from './messaging-engine.ts';
import type { RelayFrame } from './relay-frame.ts';
import type { Accepted, NewMessage, StoredMessage } from './stored-message.ts';

export class LmdbMessaging implements MessagingEngine<{ type: string }> {
  readonly spansHubs = false;
  /** The mailbox store hands out seqs inside transactions; this is the highest one known on disk. */
  private durableSeq: number;

  constructor(private readonly mailbox: MailboxStore, private readonly channels: ChannelStore, private readonly clientIds: ClientMessageIds) {
    this.durableSeq = mailbox.lastSeq;
  }

  get lastSeq(): number {
    return this.durableSeq;
  }

  async appendMail(to: string, message: NewMessage, clientMsgId: string | null, cap: Retained, now: number): Promise<Result<Accepted>> {
    const appended = await this.mailbox.append(to, message, clientMsgId, cap, now);
    // Commits resolve in seq order, so every seq up to this one is on disk too.
    if (appended.ok && !appended.value.duplicate) this.durableSeq = Math.max(this.durableSeq, appended.value.seq!);
    return appended;
  }

  async readMail(agentId: string, query: MailboxRead): Promise<StoredMessage[]> {
    return this.mailbox.read(agentId, query);
  }

  ackMail(agentId: string, upToSeq: number): Promise<number> {
    return this.mailbox.ack(agentId, upToSeq);
  }

  evictMail(notBefore: number, cap: number): Promise<number> {
    return this.mailbox.evict(notBefore, cap);
  }

  acceptOnce(sender: string, clientMsgId: string, send: ClientSend, fresh: Accepted): Promise<Result<Accepted>> {
    return this.clientIds.once(sender, clientMsgId, send, fresh);
  }

  pruneClientIds(cutoff: number): Promise<number> {
    return this.clientIds.prune(cutoff);
  }

  createChannel(name: string, description: string, createdBy: string | null, now: number): Promise<Result<ChannelRecord>> {
    return this.channels.create(name, description, createdBy, now);
  }

  getChannel(name: string): ChannelRecord | undefined {
    return this.channels.get(name);
  }

  listChannels(): ChannelRecord[] {
    return this.channels.list();
  }

  subscriberCount(name: string): number {
    return this.channels.subscriberCount(name);
  }

  subscribersOf(name: string): string[] {
    return this.channels.subscribersOf(name);
  }

  subscriptionsOf(agentId: string): string[] {
    return this.channels.subscriptionsOf(agentId);
  }

  subscribe(agentId: string, name: string, now: number): Promise<Result<{ already: boolean }>> {
    return this.channels.subscribe(agentId, name, now);
  }

  unsubscribe(agentId: string, name: string): Promise<Result<{ was: boolean }>> {
    return this.channels.unsubscribe(agentId, name);
  }

  publishChannel(name: string, message: NewMessage, clientMsgId: string | null, cap: number, now: number): Promise<Result<Accepted>> {
    return this.channels.publish(name, message, clientMsgId, cap, now);
  }

  async history(name: string, sinceSeq: number, limit: number): Promise<Result<StoredMessage[]>> {
    return this.channels.history(name, sinceSeq, limit);
  }

  trimChannels(cap: number): Promise<number> {
    return this.channels.trimAll(cap);
  }

  relayTopic(_topic: string, _frame: { type: string }): void {}

  relayMail(_to: string, _seq: number): void {}

  relayMembership(_agentId: string, _topic: string, _joined: boolean): void {}

  onRelay(_listener: (frame: RelayFrame) => void): void {}

  async close(): Promise<void> {}
}
