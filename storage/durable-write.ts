// Helpers the messaging stores share: prefix ranges over array keys, and the
// one-transaction-then-flush write every acknowledged change goes through.
import { fail, type Result } from '../runtime/errors.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { classifyWriteError, commitCause, isCommitFailure } from './write-failure.ts';

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
 * A commit that fails (disk or map full, I/O error) is a failure value, never a rejection:
 * nothing of it was written, and `onFailedCommit` lets the caller drop what it cached from it.
 */
export async function durableWrite<T>(
  store: Pick<LmdbStore, 'root' | 'flushed'> & Partial<Pick<LmdbStore, 'writeFaults' | 'forgetUncommittedStructures'>>,
  change: () => Result<T>,
  onFailedCommit?: () => void,
): Promise<Result<T>> {
  let result: Result<T>;
  try {
    result = await store.root.transaction(change);
    if (result.ok) await store.flushed();
  } catch (error) {
    if (!isCommitFailure(error)) throw error;
    // Before anything awaits: the next batch's callbacks must not encode with what this one cached.
    store.forgetUncommittedStructures?.();
    onFailedCommit?.();
    const failure = classifyWriteError(await commitCause(error));
    store.writeFaults?.failed({ ...failure, at: Date.now() });
    return failure.kind === 'full' ? fail('AC_ERR_STORAGE_FULL', failure.detail) : fail('AC_ERR_STORAGE', failure.detail);
  }
  store.writeFaults?.succeeded();
  return result;
}
