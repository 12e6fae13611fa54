// API tokens, stored only as their sha256 hash, behind one interface with two homes:
// the data dir's LMDB (lmdb-token-store.ts, one hub) and a JetStream KV bucket
// (jetstream/jetstream-token-store.ts, every hub of a cluster sees the same tokens).
//
// A token is 64 hex characters (32 random bytes). The key is the hash's hex, so a
// lookup never touches the secret; the stored hash is still compared with
// timingSafeEqual so verification time does not depend on how much of it matched.
// Reads are synchronous on both: the JetStream store answers from its view of the bucket.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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

export interface TokenRequest {
  scope: TokenScope;
  agentId?: string;
  name: string;
}

export interface TokenStore {
  /** Resolves once the record is durable (on JetStream: acknowledged by the bucket's replicas). */
  create(request: TokenRequest): Promise<{ token: string; record: TokenRecord }>;
  /** Null for anything that is not a live token. */
  verify(token: string): TokenOwner | null;
  /**
   * `verify` against every write acknowledged before the call, on this hub or another: a cluster's
   * view may not hold a token another hub made a moment ago, so a miss there asks the bucket.
   */
  verifyCurrent(token: string): Promise<TokenOwner | null>;
  /** Every token record, oldest first; never the tokens themselves, which are not stored. */
  list(): TokenRecord[];
  hasAgent(agentId: string): boolean;
  /** Removes every token of the agent; resolves with the count once durable. */
  revokeAgent(agentId: string): Promise<number>;
  /** `listener` hears each agent whose tokens another hub revoked (never called on a store of one hub). */
  onRevokedElsewhere(listener: (agentId: string) => void): void;
  close(): Promise<void>;
}

const tokenBytes = 32;
const prefixChars = 8;
const tokenPattern = /^[0-9a-f]{64}$/;

/** A fresh token and the record kept of it. */
export function newToken(request: TokenRequest, now: number): { token: string; record: TokenRecord } {
  if (request.scope === 'agent' && !request.agentId) throw new Error('an agent token needs an agent id');
  const token = randomBytes(tokenBytes).toString('hex');
  const record: TokenRecord = {
    scope: request.scope,
    agent_id: request.agentId ?? null,
    name: request.name,
    token_prefix: token.slice(0, prefixChars),
    created_at: now,
    hash: hashOf(token),
  };
  return { token, record };
}

/** The owner of `token` when `recordOf` holds a live record for its hash. */
export function ownerOf(token: string, recordOf: (hash: string) => TokenRecord | undefined): TokenOwner | null {
  const hash = tokenHashOf(token);
  if (hash === null) return null;
  const record = recordOf(hash);
  if (!record) return null;
  if (!timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return { scope: record.scope, agentId: record.agent_id, name: record.name };
}

/** The key a token's record is kept under; null for a string that is not shaped as a token. */
export function tokenHashOf(token: string): string | null {
  return tokenPattern.test(token) ? hashOf(token) : null;
}

export const oldestFirst = (records: TokenRecord[]): TokenRecord[] => records.sort((a, b) => a.created_at - b.created_at);

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
