// API tokens, stored only as their sha256 hash.
//
// A token is 64 hex characters (32 random bytes). The key is the hash's hex, so a
// lookup never touches the secret; the stored hash is still compared with
// timingSafeEqual so verification time does not depend on how much of it matched.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'lmdb';
import { durablyOrRefused, type WriteSink } from './durable-write.ts';

export type TokenScope = 'admin' | 'agent';

export interface TokenRecord {
  scope: TokenScope;
  agent_id: string | null;
  name: string;
  /** First 8 characters of the token, so an operator can tell tokens apart. */
  token_prefix: string;
  created_at: number;
  /** sha256 of the token, hex. */
  hash: string;
}

export interface TokenOwner {
  scope: TokenScope;
  agentId: string | null;
  name: string;
}

const tokenBytes = 32;
const prefixChars = 8;
const tokenPattern = /^[0-9a-f]{64}$/;

export class TokenStore {
  private constructor(
    private readonly db: Database<unknown, string>,
    private readonly sink: WriteSink,
    private readonly now: () => number,
  ) {}

  /** `db` is `store.tokens`; `sink` the store, whose flush makes a write durable and which records a refused one. */
  static open(db: Database<unknown, string>, sink: WriteSink, now: () => number = Date.now): TokenStore {
    return new TokenStore(db, sink, now);
  }

  /**
   * Writes: tokens[sha256(token)]. Resolves only once the record is durable, so a
   * token we hand out survives a crash right after.
   */
  async create(request: { scope: TokenScope; agentId?: string; name: string }): Promise<{ token: string; record: TokenRecord }> {
    if (request.scope === 'agent' && !request.agentId) throw new Error('an agent token needs an agent id');
    const token = randomBytes(tokenBytes).toString('hex');
    const record: TokenRecord = {
      scope: request.scope,
      agent_id: request.agentId ?? null,
      name: request.name,
      token_prefix: token.slice(0, prefixChars),
      created_at: this.now(),
      hash: hashOf(token),
    };
    await durablyOrRefused(this.sink, () => this.db.put(record.hash, record));
    return { token, record };
  }

  /** Reads: tokens[sha256(token)]. Null for anything that is not a live token. */
  verify(token: string): TokenOwner | null {
    if (!tokenPattern.test(token)) return null;
    const hash = hashOf(token);
    const record = this.db.get(hash) as TokenRecord | undefined;
    if (!record) return null;
    if (!timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    return { scope: record.scope, agentId: record.agent_id, name: record.name };
  }

  /** Reads every token record; never the tokens themselves, which are not stored. */
  list(): TokenRecord[] {
    const records: TokenRecord[] = [];
    for (const { value } of this.db.getRange()) records.push(value as TokenRecord);
    return records.sort((a, b) => a.created_at - b.created_at);
  }

  hasAgent(agentId: string): boolean {
    for (const { value } of this.db.getRange()) {
      if ((value as TokenRecord).agent_id === agentId) return true;
    }
    return false;
  }

  /** Reads every record; removes those of the agent in one transaction. Resolves with the count once durable. */
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
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
