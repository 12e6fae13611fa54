// Helpers the messaging stores share: prefix ranges over array keys, and the
// one-transaction-then-flush write every acknowledged change goes through.
import type { Result } from '../runtime/errors.ts';
import type { LmdbStore } from './lmdb-store.ts';

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
