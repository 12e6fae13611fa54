// Mailboxes: every direct message, kept per recipient in [agent_id, seq] order
// until the agent acks it or retention evicts it (TTL, per-agent cap).
//
// seq is one hub-wide counter, so a recipient's messages sort in the order they
// were accepted, and a cursor (`since`) is just the last seq a reader saw.
import { ok, type Result } from './domain/errors.ts';
import type { ClientMessageIds } from './client-message-ids.ts';
import { directSend } from './client-message-reuse.ts';
import type { LmdbStore, MailboxKey } from './lmdb-store.ts';
import { durableWrite } from './durable-write.ts';
import { capEvictions, overCap, sweepEvictions } from './message-retention.ts';
import { newMessageId, type Accepted, type NewMessage, type StoredMessage } from './stored-message.ts';

const seqKey = 'mailbox_seq';

export interface MailboxRead {
  /** Only messages with a greater seq. */
  sinceSeq: number;
  limit: number;
  /** Messages older than this (epoch ms) count as evicted even before the sweep removes them. */
  notBefore: number;
}

/** The per-agent cap, and the newest seq it may evict. */
export interface Retained {
  maxMessages: number;
  evictableUpToSeq: number;
}

type MailboxDeps = Pick<LmdbStore, 'root' | 'flushed' | 'mailbox' | 'meta'>;

export class MailboxStore {
  private seq: number;

  constructor(private readonly store: MailboxDeps, private readonly clientIds: ClientMessageIds) {
    this.seq = (store.meta.get(seqKey) as number | undefined) ?? 0;
  }

  /** The highest seq handed out so far. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * One transaction. Reads client_messages[[from, clientMsgId]] and the recipient's
   * mailbox keys; writes mailbox[[to, seq]], meta.mailbox_seq, client_messages, and
   * removes the recipient's oldest messages past the cap, but none above
   * `evictableUpToSeq` (a burst to a connected agent must not evict what it has not
   * been pushed yet). Resolves once durable, so a
   * sender told "sent" cannot lose the message to a crash. A repeated client id
   * writes nothing and resolves with the first answer, or with a conflict when the id
   * was first used for another send.
   */
  append(to: string, message: NewMessage, clientMsgId: string | null, cap: Retained, now: number): Promise<Result<Accepted>> {
    return durableWrite(this.store, () => {
      const earlier = this.clientIds.earlier(message.from, clientMsgId, directSend(to));
      if (earlier) return earlier;
      const stored: StoredMessage = { ...message, seq: ++this.seq, id: newMessageId(), to, channel: null, timestamp: now };
      this.store.meta.put(seqKey, this.seq);
      this.store.mailbox.put([to, stored.seq], stored);
      // Fresh range objects: lmdb-js marks the options it is given for a count.
      const over = overCap(this.store.mailbox.getKeysCount(ownRange(to)), cap.maxMessages);
      if (over > 0) {
        const oldest = [...this.store.mailbox.getKeys({ ...ownRange(to), limit: over })].map((key) => key[1]);
        for (const seq of capEvictions(oldest, cap.evictableUpToSeq)) this.store.mailbox.remove([to, seq]);
      }
      const accepted: Accepted = { id: stored.id, seq: stored.seq, timestamp: now, duplicate: false };
      this.clientIds.remember(message.from, clientMsgId, directSend(to), accepted);
      return ok(accepted);
    });
  }

  /** Reads mailbox[[agentId, sinceSeq+1 …]] in seq order, skipping expired messages. */
  read(agentId: string, query: MailboxRead): StoredMessage[] {
    const messages: StoredMessage[] = [];
    for (const { value } of this.store.mailbox.getRange({ start: [agentId, query.sinceSeq + 1], end: [agentId, Infinity] })) {
      if (value.timestamp < query.notBefore) continue;
      messages.push(value);
      if (messages.length >= query.limit) break;
    }
    return messages;
  }

  /** One transaction: removes mailbox[[agentId, ≤ upToSeq]]. Resolves with the count once durable. */
  async ack(agentId: string, upToSeq: number): Promise<number> {
    const acked = await durableWrite(this.store, () => {
      const keys = [...this.store.mailbox.getKeys({ start: [agentId, 0], end: [agentId, upToSeq + 1] })];
      for (const key of keys) this.store.mailbox.remove(key);
      return ok(keys.length);
    });
    return acked.ok ? acked.value : 0;
  }

  /**
   * Retention: removes messages older than `notBefore` and each agent's oldest past
   * `cap`. Keys are chosen by a read outside the transaction (sends only add newer
   * messages and acks only remove, so the choice stays right), then removed in one.
   */
  async evict(notBefore: number, cap: number): Promise<number> {
    const doomed: MailboxKey[] = [];
    let agent: string | null = null;
    let messages: Array<{ seq: number; timestamp: number }> = [];
    const closeAgent = () => {
      if (agent !== null) for (const seq of sweepEvictions(messages, notBefore, cap)) doomed.push([agent, seq]);
    };
    for (const { key, value } of this.store.mailbox.getRange()) {
      if (key[0] !== agent) {
        closeAgent();
        agent = key[0];
        messages = [];
      }
      messages.push({ seq: key[1], timestamp: value.timestamp });
    }
    closeAgent();
    if (doomed.length === 0) return 0;
    await durableWrite(this.store, () => {
      for (const key of doomed) this.store.mailbox.remove(key);
      return ok(doomed.length);
    });
    return doomed.length;
  }

  count(agentId: string): number {
    return this.store.mailbox.getKeysCount(ownRange(agentId));
  }
}

const ownRange = (agentId: string) => ({ start: [agentId, 0], end: [agentId, Infinity] });
