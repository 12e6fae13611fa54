// Channels: their records, their history ([channel, seq], the newest `cap` kept)
// and subscriptions, stored both ways ([agent, channel] and [channel, agent]) so
// "my channels" at identify and "who listens here" are each one range read.
import { fail, ok, type Result } from './domain/errors.ts';
import type { ClientMessageIds } from './client-message-ids.ts';
import { channelSend } from './client-message-reuse.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { durableWrite, prefixRange } from './durable-write.ts';
import { firstKeptSeq } from './message-retention.ts';
import { newMessageId, type Accepted, type NewMessage, type StoredMessage } from './stored-message.ts';

export interface ChannelRecord {
  name: string;
  description: string;
  created_at: number;
  created_by: string | null;
  /** Oldest seq still in the history; last_seq + 1 when it is empty. */
  first_seq: number;
  last_seq: number;
}

type ChannelDeps = Pick<LmdbStore, 'root' | 'flushed' | 'channels' | 'channelHistory' | 'subscriptions' | 'subscribers'>;

export class ChannelStore {
  constructor(private readonly store: ChannelDeps, private readonly clientIds: ClientMessageIds) {}

  /** One transaction: reads and writes channels[name]. AC_ERR_CHANNEL_EXISTS if taken. */
  create(name: string, description: string, createdBy: string | null, now: number): Promise<Result<ChannelRecord>> {
    return durableWrite(this.store, () => {
      if (this.store.channels.get(name)) return fail('AC_ERR_CHANNEL_EXISTS', name);
      const record: ChannelRecord = { name, description, created_at: now, created_by: createdBy, first_seq: 1, last_seq: 0 };
      this.store.channels.put(name, record);
      return ok(record);
    });
  }

  get(name: string): ChannelRecord | undefined {
    return this.store.channels.get(name) as ChannelRecord | undefined;
  }

  /** Every channel, by name. */
  list(): ChannelRecord[] {
    return [...this.store.channels.getRange()].map(({ value }) => value as ChannelRecord);
  }

  subscriberCount(name: string): number {
    return this.store.subscribers.getKeysCount(prefixRange(name));
  }

  subscribersOf(name: string): string[] {
    return [...this.store.subscribers.getKeys(prefixRange(name))].map((key) => key[1]);
  }

  subscriptionsOf(agentId: string): string[] {
    return [...this.store.subscriptions.getKeys(prefixRange(agentId))].map((key) => key[1]);
  }

  /**
   * One transaction: reads channels[name] and subscriptions[[agent, name]]; when new,
   * writes it and subscribers[[name, agent]]. Durable before it resolves, so the
   * subscription survives a reconnect and a hub restart.
   */
  subscribe(agentId: string, name: string, now: number): Promise<Result<{ already: boolean }>> {
    return durableWrite<{ already: boolean }>(this.store, () => {
      if (!this.store.channels.get(name)) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
      if (this.store.subscriptions.get([agentId, name]) !== undefined) return ok({ already: true });
      this.store.subscriptions.put([agentId, name], now);
      this.store.subscribers.put([name, agentId], now);
      return ok({ already: false });
    });
  }

  /** One transaction: removes subscriptions[[agent, name]] and subscribers[[name, agent]]. */
  unsubscribe(agentId: string, name: string): Promise<Result<{ was: boolean }>> {
    return durableWrite<{ was: boolean }>(this.store, () => {
      if (!this.store.channels.get(name)) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
      const was = this.store.subscriptions.get([agentId, name]) !== undefined;
      this.store.subscriptions.remove([agentId, name]);
      this.store.subscribers.remove([name, agentId]);
      return ok({ was });
    });
  }

  /**
   * One transaction. Reads channels[name] and client_messages[[from, clientMsgId]];
   * writes channelHistory[[name, seq]] with seq = last_seq + 1, channels[name], the
   * client id, and removes history below the newest `cap`. The record is read inside
   * the transaction, so publishes batched together still get consecutive seqs. A repeated
   * client id writes nothing: the first answer, or a conflict when first used for another send.
   */
  publish(name: string, message: NewMessage, clientMsgId: string | null, cap: number, now: number): Promise<Result<Accepted>> {
    return durableWrite(this.store, () => {
      const record = this.store.channels.get(name) as ChannelRecord | undefined;
      if (!record) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
      const earlier = this.clientIds.earlier(message.from, clientMsgId, channelSend(name));
      if (earlier) return earlier;
      const seq = record.last_seq + 1;
      const stored: StoredMessage = { ...message, seq, id: newMessageId(), to: null, channel: name, timestamp: now };
      this.store.channelHistory.put([name, seq], stored);
      const firstSeq = this.trimmed(record, seq, cap);
      this.store.channels.put(name, { ...record, last_seq: seq, first_seq: firstSeq });
      const accepted: Accepted = { id: stored.id, seq, timestamp: now, duplicate: false };
      this.clientIds.remember(message.from, clientMsgId, channelSend(name), accepted);
      return ok(accepted);
    });
  }

  /** Reads channelHistory[[name, since+1 …]], oldest first. */
  history(name: string, sinceSeq: number, limit: number): Result<StoredMessage[]> {
    if (!this.store.channels.get(name)) return fail('AC_ERR_CHANNEL_NOT_FOUND', name);
    const messages: StoredMessage[] = [];
    for (const { value } of this.store.channelHistory.getRange({ start: [name, sinceSeq + 1], end: [name, Infinity], limit })) {
      messages.push(value);
    }
    return ok(messages);
  }

  /** One transaction: cuts every channel's history to its newest `cap` (after the cap was lowered). */
  async trimAll(cap: number): Promise<number> {
    const trimmed = await durableWrite(this.store, () => {
      let removed = 0;
      for (const { value } of [...this.store.channels.getRange()]) {
        const record = value as ChannelRecord;
        const firstSeq = this.trimmed(record, record.last_seq, cap);
        removed += firstSeq - record.first_seq;
        if (firstSeq !== record.first_seq) this.store.channels.put(record.name, { ...record, first_seq: firstSeq });
      }
      return ok(removed);
    });
    return trimmed.ok ? trimmed.value : 0;
  }

  /** Inside a transaction: removes history below the newest `cap` up to `lastSeq`; returns the new first seq. */
  private trimmed(record: ChannelRecord, lastSeq: number, cap: number): number {
    const firstSeq = firstKeptSeq(record.first_seq, lastSeq, cap);
    for (let seq = record.first_seq; seq < firstSeq; seq++) this.store.channelHistory.remove([record.name, seq]);
    return firstSeq;
  }
}
