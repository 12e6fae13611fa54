// A message as the mailbox and channel history keep it, and the helpers every
// messaging store shares: ids, prefix ranges, the durable write.
import { randomBytes } from 'node:crypto';
import type { Result } from '../runtime/errors.ts';
import type { LmdbStore } from './lmdb-store.ts';

export interface StoredMessage {
  /** Mailbox: global and increasing; channel history: per channel, dense from 1. */
  seq: number;
  /** 16 hex characters, as in the reference. */
  id: string;
  from: string;
  /** The recipient's agent id; null for a channel message. */
  to: string | null;
  channel: string | null;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
  timestamp: number;
}

/** What a sender writes; the store adds seq, id and timestamp. */
export interface NewMessage {
  from: string;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
}

/** The answer a sender got; a retry with the same client_msg_id gets it again. */
export interface Accepted {
  id: string;
  /** Null for a broadcast, which is not stored. */
  seq: number | null;
  timestamp: number;
  duplicate: boolean;
}

export const newMessageId = (): string => randomBytes(8).toString('hex');

/**
 * Every [first, …] key of an ordered-binary array-keyed database. The bound past the
 * prefix is `first` + NUL: the next string after it, and agent ids and channel names carry no NUL.
 */
export function prefixRange(first: string): { start: [string]; end: [string] } {
  return { start: [first], end: [`${first}\u0000`] };
}

/**
 * Runs `change` in the shared write transaction and resolves once it is on disk.
 * The callback holds the single write lock: keep it short and synchronous.
 */
export async function durableWrite<T>(store: Pick<LmdbStore, 'root' | 'flushed'>, change: () => Result<T>): Promise<Result<T>> {
  const result = await store.root.transaction(change);
  if (result.ok) await store.flushed();
  return result;
}
