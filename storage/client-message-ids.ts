// Optional client message ids (`client_msg_id`): a sender that retries a send it is
// not sure about gets the first answer again instead of a second message.
//
// The lookups run inside the mailbox's or channel's own transaction, so "was this
// sent?" and "send it" are one atomic step; a broadcast, which stores nothing else,
// has its own transaction here. Each id keeps the send it was first used for, and
// client-message-reuse.ts decides whether a reuse is a retry of it.
import { ok, type Result } from './domain/errors.ts';
import { answerReuse, type ClientSend } from './client-message-reuse.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { durableWrite } from './durable-write.ts';
import type { Accepted } from './stored-message.ts';

/** The first answer, when it was given (for pruning), and to which send (none in records of older hubs). */
interface Remembered {
  id: string;
  seq: number | null;
  timestamp: number;
  send?: ClientSend;
}

export class ClientMessageIds {
  constructor(private readonly store: Pick<LmdbStore, 'root' | 'flushed' | 'clientMessages'>) {}

  /**
   * Reads client_messages[[sender, id]]: null when the id is new, else the answer to `send` (the
   * first answer, or a conflict when the id was first used for another send). Call inside the
   * transaction that would send, and send nothing unless it is null.
   */
  earlier(sender: string, clientMsgId: string | null, send: ClientSend): Result<Accepted> | null {
    if (clientMsgId === null) return null;
    const found = this.store.clientMessages.get([sender, clientMsgId]) as Remembered | undefined;
    if (!found) return null;
    return answerReuse(clientMsgId, found.send, send, { id: found.id, seq: found.seq, timestamp: found.timestamp, duplicate: true });
  }

  /** Writes client_messages[[sender, id]]. Call inside the transaction that sends. */
  remember(sender: string, clientMsgId: string | null, send: ClientSend, accepted: Accepted): void {
    if (clientMsgId === null) return;
    const value: Remembered = { id: accepted.id, seq: accepted.seq, timestamp: accepted.timestamp, send };
    this.store.clientMessages.put([sender, clientMsgId], value);
  }

  /**
   * One transaction: reads and, when new, writes client_messages[[sender, id]].
   * Resolves with the earlier answer (duplicate), a conflict, or `fresh` once durable.
   */
  once(sender: string, clientMsgId: string, send: ClientSend, fresh: Accepted): Promise<Result<Accepted>> {
    return durableWrite(this.store, () => {
      const earlier = this.earlier(sender, clientMsgId, send);
      if (earlier) return earlier;
      this.remember(sender, clientMsgId, send, fresh);
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
