// Optional client message ids (`client_msg_id`): a sender that retries a send it is
// not sure about gets the first answer again instead of a second message.
//
// The lookups run inside the mailbox's or channel's own transaction, so "was this
// sent?" and "send it" are one atomic step; a broadcast, which stores nothing else,
// has its own transaction here.
import { ok, type Result } from './domain/errors.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { durableWrite } from './durable-write.ts';
import type { Accepted } from './stored-message.ts';

/** The first answer, and when it was given (for pruning). */
interface Remembered {
  id: string;
  seq: number | null;
  timestamp: number;
}

export class ClientMessageIds {
  constructor(private readonly store: Pick<LmdbStore, 'root' | 'flushed' | 'clientMessages'>) {}

  /** Reads client_messages[[sender, id]]. Call inside the transaction that would send. */
  earlier(sender: string, clientMsgId: string | null): Accepted | null {
    if (clientMsgId === null) return null;
    const found = this.store.clientMessages.get([sender, clientMsgId]) as Remembered | undefined;
    return found ? { id: found.id, seq: found.seq, timestamp: found.timestamp, duplicate: true } : null;
  }

  /** Writes client_messages[[sender, id]]. Call inside the transaction that sends. */
  remember(sender: string, clientMsgId: string | null, accepted: Accepted): void {
    if (clientMsgId === null) return;
    const value: Remembered = { id: accepted.id, seq: accepted.seq, timestamp: accepted.timestamp };
    this.store.clientMessages.put([sender, clientMsgId], value);
  }

  /**
   * One transaction: reads and, when new, writes client_messages[[sender, id]].
   * Resolves with the earlier answer (duplicate) or `fresh` once durable.
   */
  once(sender: string, clientMsgId: string, fresh: Accepted): Promise<Result<Accepted>> {
    return durableWrite(this.store, () => {
      const earlier = this.earlier(sender, clientMsgId);
      if (earlier) return ok(earlier);
      this.remember(sender, clientMsgId, fresh);
      return ok(fresh);
    });
  }

  /** Removes ids remembered before `cutoff`: a retry that late is a new message. Keys are read outside the transaction. */
  async prune(cutoff: number): Promise<number> {
    const stale: Array<[string, string]> = [];
    for (const { key, value } of this.store.clientMessages.getRange()) {
      if ((value as Remembered).timestamp < cutoff) stale.push(key);
    }
    if (stale.length === 0) return 0;
    await durableWrite(this.store, () => {
      for (const key of stale) this.store.clientMessages.remove(key);
      return ok(stale.length);
    });
    return stale.length;
  }

}
