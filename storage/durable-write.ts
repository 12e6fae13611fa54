// Helpers the messaging stores share: prefix ranges over array keys, and the
// one-transaction-then-flush write every acknowledged change goes through.
import { fail, ThrownFailure, type Failure, type Result } from './domain/errors.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { classifyWriteError, commitCause, hasRoom, isCommitFailure, type WriteFailure } from './write-failure.ts';

/** What a durable write needs of the store: its flush, and where it records a write that failed. */
export type WriteSink = Pick<LmdbStore, 'flushed'> & Partial<Pick<LmdbStore, 'path' | 'writeFaults' | 'forgetUncommittedStructures'>>;

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
  store: Pick<LmdbStore, 'root'> & WriteSink,
  change: () => Result<T>,
  onFailedCommit?: () => void,
): Promise<Result<T>> {
  // Only while a disk-full failure stands: the normal path does not await anything extra.
  const fullCheck = stillFull(store);
  const full = fullCheck && (await fullCheck);
  if (full) return refused(full);
  let result: Result<T>;
  try {
    result = await store.root.transaction(change);
    if (result.ok) await store.flushed();
  } catch (error) {
    if (!isCommitFailure(error)) throw error;
    // Before anything awaits: the next batch's callbacks must not encode with what this one cached.
    store.forgetUncommittedStructures?.();
    onFailedCommit?.();
    return refusal(store, error);
  }
  store.writeFaults?.succeeded();
  return result;
}

/**
 * The same contract for the small stores whose callers expect a plain promise (tokens,
 * settings, the agent directory, schedules): `write` issues one put, remove or transaction;
 * this resolves with its value once it is on disk. A commit that fails rejects with a
 * ThrownFailure (storage/domain/errors.ts) carrying the failure value, which the HTTP router and the agent socket answer
 * with its code (507 AC_ERR_STORAGE_FULL for a full disk), instead of a 500.
 */
export async function durablyOrRefused<T>(store: WriteSink, write: () => Promise<T>): Promise<T> {
  const fullCheck = stillFull(store);
  const full = fullCheck && (await fullCheck);
  if (full) throw new ThrownFailure(refused(full));
  let value: T;
  try {
    value = await write();
    await store.flushed();
  } catch (error) {
    if (!isCommitFailure(error)) throw error;
    store.forgetUncommittedStructures?.();
    throw new ThrownFailure(await refusal(store, error));
  }
  store.writeFaults?.succeeded();
  return value;
}

async function refusal(store: WriteSink, error: unknown): Promise<Failure> {
  let failure = classifyWriteError(await commitCause(error));
  // LMDB reports a page write the disk took only part of as EIO, not ENOSPC.
  if (failure.kind === 'io' && store.path && !(await hasRoom(store.path))) {
    failure = { kind: 'full', detail: `${failure.detail} (a short write: no space left on device)` };
  }
  store.writeFaults?.failed({ ...failure, at: Date.now() });
  return refused(failure);
}

function refused(failure: Pick<WriteFailure, 'kind' | 'detail'>): Failure {
  return failure.kind === 'full' ? fail('AC_ERR_STORAGE_FULL', failure.detail) : fail('AC_ERR_STORAGE', failure.detail);
}

/** The disk-full failure to refuse with before trying, while the disk is still full (write-failure.ts). Costs nothing otherwise. */
function stillFull(store: WriteSink): Promise<WriteFailure | null> | null {
  if (!store.path || store.writeFaults?.current()?.kind !== 'full') return null;
  return store.writeFaults.refusesAtOnce(store.path);
}

