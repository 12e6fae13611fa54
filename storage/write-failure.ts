// What to make of an LMDB write that did not commit, and what the store knows of it.
//
// lmdb-js rejects a failed commit with "Commit failed", whose real cause (ENOSPC,
// MDB_MAP_FULL, EIO…) arrives on `commitError`, a second promise. Both promises,
// and the ones lmdb-js makes for each put inside the transaction, reject whether
// or not anyone listens: unhandled, they ended the process. The write path reads
// the cause; `absorbCommitRejections` keeps the leftovers from killing the hub.

import { statfs } from 'node:fs/promises';

export type WriteFailureKind = 'full' | 'io';

export interface WriteFailure {
  kind: WriteFailureKind;
  detail: string;
  at: number;
}

/** errno and LMDB codes that mean "no room": retrying after space is freed will work. */
const fullCodes = new Set<unknown>([28, 'ENOSPC', 122, 'EDQUOT', -30792, 'MDB_MAP_FULL']);

export function classifyWriteError(error: unknown): Omit<WriteFailure, 'at'> {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const full = fullCodes.has(code) || /no space left|MDB_MAP_FULL|quota exceeded/i.test(message);
  return { kind: full ? 'full' : 'io', detail: message.split(':')[0]!.trim() || message };
}

/** The cause behind lmdb-js's "Commit failed", when it has one; otherwise the error itself. */
export async function commitCause(error: unknown): Promise<unknown> {
  const pending = (error as { commitError?: Promise<unknown> } | null)?.commitError;
  if (!pending || typeof pending.then !== 'function') return error;
  // The cause is settled in the same native callback as the failure; a turn later means there is none.
  const none = Symbol('none');
  const cause = await Promise.race([
    pending.then(() => none, (reason: unknown) => reason),
    new Promise((resolve) => setImmediate(() => resolve(none))),
  ]);
  return cause === none ? error : cause;
}

/**
 * The last write that failed, until a write succeeds again: /health reports it, so an
 * operator sees "disk full" while it lasts and the reason goes once space is back.
 */
export class WriteFaults {
  private last: WriteFailure | null = null;
  private failures = 0;
  private room: { checkedAt: number; enough: boolean } | null = null;

  failed(failure: WriteFailure): void {
    this.last = failure;
    this.failures += 1;
  }

  succeeded(): void {
    this.last = null;
  }

  current(): WriteFailure | null {
    return this.last;
  }

  /** Failed writes since start. */
  count(): number {
    return this.failures;
  }

  /**
   * While the last failure was a full disk and the data dir's file system still has no
   * room: that failure, to refuse the next write with at once instead of handing LMDB
   * another commit it cannot write. Repeated short page writes on a full disk have aborted
   * lmdb-js natively (SIGABRT, heap corruption) in the disk-full test; refusing early also
   * keeps a client retrying in a loop cheap. Null (try the write) otherwise; the file
   * system is asked at most every `roomCheckMs`.
   */
  async refusesAtOnce(dir: string): Promise<WriteFailure | null> {
    const last = this.last;
    if (!last || last.kind !== 'full') return null;
    const now = Date.now();
    if (!this.room || now - this.room.checkedAt >= roomCheckMs) {
      this.room = { checkedAt: now, enough: await hasRoom(dir) };
    }
    if (this.room.enough) return null;
    this.failures += 1;
    return last;
  }
}

/** A full disk counts as having room again once this much is free. */
export const roomBytes = 1024 * 1024;
const roomCheckMs = 250;

export async function hasRoom(dir: string): Promise<boolean> {
  try {
    const fs = await statfs(dir);
    return fs.bavail * fs.bsize >= roomBytes;
  } catch {
    return true;
  }
}

let absorbing = false;

/**
 * Swallows the rejections lmdb-js leaves unhandled after a failed commit (the write path
 * has already answered the caller). Any other unhandled rejection still ends the process,
 * as Node's default does.
 */
export function absorbCommitRejections(log: (message: string, fields: Record<string, unknown>) => void): void {
  if (absorbing) return;
  absorbing = true;
  process.on('unhandledRejection', (reason) => {
    if (isCommitFailure(reason)) {
      log('lmdb commit rejection absorbed', { error: reason instanceof Error ? reason.message : String(reason) });
      return;
    }
    // Node's default for the rest, unless someone else (a test runner) listens too.
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  });
}

/** A commit lmdb-js could not do, as opposed to an exception thrown by the transaction's own callback. */
export function isCommitFailure(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  if ('commitError' in reason) return true;
  // Raised by lmdb-js itself (its innermost frame), not by our callback that lmdb-js happened to call.
  const innermost = (reason.stack ?? '').split('\n').find((line) => line.trim().startsWith('at ')) ?? '';
  return /[\\/]lmdb[\\/]/.test(innermost);
}
