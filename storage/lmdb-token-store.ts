// The token store of a single hub: records in the data dir's `tokens` database,
// keyed by the token's hash (token-store.ts says what a token and its record are).
import type { Database } from 'lmdb';
import { durablyOrRefused, type WriteSink } from './durable-write.ts';
import { newToken, oldestFirst, ownerOf, type TokenOwner, type TokenRecord, type TokenRequest, type TokenStore } from './token-store.ts';

export class LmdbTokenStore implements TokenStore {
  private constructor(
    private readonly db: Database<unknown, string>,
    private readonly sink: WriteSink,
    private readonly now: () => number,
  ) {}

  /** `db` is `store.tokens`; `sink` the store, whose flush makes a write durable and which records a refused one. */
  static open(db: Database<unknown, string>, sink: WriteSink, now: () => number = Date.now): LmdbTokenStore {
    return new LmdbTokenStore(db, sink, now);
  }

  /**
   * Writes: tokens[sha256(token)]. Resolves only once the record is durable, so a
   * token we hand out survives a crash right after.
   */
  async create(request: TokenRequest): Promise<{ token: string; record: TokenRecord }> {
    const made = newToken(request, this.now());
    await durablyOrRefused(this.sink, () => this.db.put(made.record.hash, made.record));
    return made;
  }

  /** Reads: tokens[sha256(token)]. */
  verify(token: string): TokenOwner | null {
    return ownerOf(token, (hash) => this.db.get(hash) as TokenRecord | undefined);
  }

  /** One hub's store: what `verify` reads is every acknowledged write. */
  async verifyCurrent(token: string): Promise<TokenOwner | null> {
    return this.verify(token);
  }

  list(): TokenRecord[] {
    const records: TokenRecord[] = [];
    for (const { value } of this.db.getRange()) records.push(value as TokenRecord);
    return oldestFirst(records);
  }

  hasAgent(agentId: string): boolean {
    for (const { value } of this.db.getRange()) {
      if ((value as TokenRecord).agent_id === agentId) return true;
    }
    return false;
  }

  /** Reads every record; removes those of the agent in one transaction. */
  async revokeAgent(agentId: string): Promise<number> {
    const revoked = await durablyOrRefused(this.sink, () => this.db.transaction(() => {
      // Collect first: removing under a live cursor would skip entries.
      const keys: string[] = [];
      for (const { key, value } of this.db.getRange()) {
        if ((value as TokenRecord).agent_id === agentId) keys.push(key);
      }
      for (const key of keys) this.db.remove(key);
      return keys.length;
    }));
    return revoked;
  }

  /** One hub: nobody else revokes. */
  onRevokedElsewhere(): void {}

  /** The database closes with the store it lives in. */
  async close(): Promise<void> {}
}
