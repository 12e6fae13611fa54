// How far the front of each capability set's ready range is known to hold only tasks that wait
// for a lease still held, so a claim's walk can start behind them instead of reading them again.
//
// With path leases, the tasks held back gather at the front of their lanes: every claim batch
// walked past all of them before it found a task it could hand out, and a batch that found none
// walked the whole range. The memo makes that walk once per change instead of once per batch.
//
// The memo may only claim "blocked" for entries a walk saw blocked. It is lowered whenever an
// entry before its end may have become assignable: a task queued there, or a waiting task's lease
// ended. Both are recorded inside the write that causes them and applied once that write has
// committed (`reopen`): a walk that ran before the commit could not see a newly queued entry and
// may have stepped past its place, and the lowering undoes that.
import type { ReadyKey } from './lmdb-store.ts';

export class BlockedPrefixes {
  /** Per capability set: the last key of its front run known blocked (possibly a point between two keys). */
  private readonly through = new Map<number, ReadyKey>();
  private pending: ReadyKey[] = [];

  /** Where a walk of `capset` starts: at this key, which is itself known blocked; null at the range's start. */
  startOf(capset: number): ReadyKey | null {
    return this.through.get(capset) ?? null;
  }

  /** A walk from the start found `key` blocked, and every entry before it blocked too. */
  extend(key: ReadyKey): void {
    this.through.set(key[0], key);
  }

  /** Inside a write: an entry at `key` may be assignable (queued there, or its wait ended). */
  mayBeAssignable(key: ReadyKey): void {
    this.pending.push(key);
  }

  /** The keys recorded by the write now running; taken at the end of its transaction callback. */
  takePending(): ReadyKey[] {
    if (this.pending.length === 0) return noKeys;
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** After the write that recorded `keys` committed: walks look at them again. */
  reopen(keys: readonly ReadyKey[]): void {
    for (const key of keys) {
      const known = this.through.get(key[0]);
      // Just before the key: a start between two sequence numbers reads the key itself first.
      if (known && !isBefore(known, key)) this.through.set(key[0], [key[0], key[1], key[2] - 0.5]);
    }
  }
}

export function isBefore(a: ReadyKey, b: ReadyKey): boolean {
  return a[1] < b[1] || (a[1] === b[1] && a[2] < b[2]);
}

export function sameKey(a: ReadyKey, b: ReadyKey): boolean {
  return a[1] === b[1] && a[2] === b[2];
}

const noKeys: ReadyKey[] = [];
