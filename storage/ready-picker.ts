// Picks tasks for a batch of claims in one walk of the ready index.
//
// Each capability set gets one lazily opened cursor over its [capset, priority, seq]
// range. A pick compares the heads of the ranges the agent can serve and takes the
// lowest [priority, seq]; taking a head advances only that cursor. So a batch of n
// claims costs about n × (matching capsets) comparisons, however many claims are
// already in flight: claimed-but-uncommitted tasks are skipped once, not once per claim.
//
// A gate (path leases) may refuse the best head: it stays in its lane, keeps its place, and
// the pick moves on to the next task, so a task that must wait never blocks the ones behind it.
// The gate's memo of each range's blocked front (storage/blocked-prefixes.ts) lets a walk start
// behind the tasks it already saw waiting, instead of reading them again in every batch.
import type { Database } from 'lmdb';
import { isBefore, sameKey, type BlockedPrefixes } from './blocked-prefixes.ts';
import type { CapabilitySets } from './capability-sets.ts';
import type { ReadyKey } from './lmdb-store.ts';

interface Head {
  key: ReadyKey;
  id: string;
}

/** Decides whether a picked task may be assigned now; `skips` is a cheap early look for tasks known to wait. */
export interface PickGate {
  admit(taskId: string, key: ReadyKey): boolean;
  skips(taskId: string): boolean;
  /** The memo of each range's blocked front, when the gate keeps one. */
  readonly blocked?: BlockedPrefixes;
}

const openGate: PickGate = { admit: () => true, skips: () => false };

interface Cursor {
  entries: Iterator<{ key: ReadyKey; value: string }>;
  head: Head | null;
  /** The key the walk started at (known blocked, skipped), or null from the range's start. */
  from: ReadyKey | null;
  /** Every entry walked so far was blocked: the memo may grow over them. */
  blockedRun: boolean;
}

export class ReadyPicker {
  private readonly cursors = new Map<number, Cursor>();

  /** `taken` holds task ids already claimed and not yet committed; picks are added to it. */
  constructor(
    private readonly ready: Database<string, ReadyKey>,
    private readonly capsets: CapabilitySets,
    private readonly taken: Set<string>,
    private readonly gate: PickGate = openGate,
  ) {}

  /** The best task for an agent with these capabilities, now marked taken; null when none fits. */
  pick(capabilities: readonly string[]): string | null {
    for (;;) {
      let best: { capset: number; head: Head } | null = null;
      for (const capset of this.capsets.matching(capabilities)) {
        const head = this.headOf(capset);
        if (!head) continue;
        if (!best || isBefore(head.key, best.head.key)) best = { capset, head };
      }
      if (!best) return null;
      const cursor = this.cursors.get(best.capset)!;
      const admitted = this.gate.admit(best.head.id, best.head.key);
      if (!admitted && cursor.blockedRun) this.gate.blocked?.extend(best.head.key);
      if (admitted) cursor.blockedRun = false;
      this.advance(cursor);
      if (!admitted) continue;
      this.taken.add(best.head.id);
      return best.head.id;
    }
  }

  /** Releases the read cursors. */
  close(): void {
    for (const cursor of this.cursors.values()) cursor.entries.return?.();
    this.cursors.clear();
  }

  private headOf(capset: number): Head | null {
    let cursor = this.cursors.get(capset);
    if (!cursor) {
      const from = this.gate.blocked?.startOf(capset) ?? null;
      const entries = this.ready.getRange({ start: from ?? [capset], end: [capset, Infinity] })[Symbol.iterator]();
      cursor = { entries, head: null, from, blockedRun: true };
      this.cursors.set(capset, cursor);
      this.advance(cursor);
    }
    return cursor.head;
  }

  private advance(cursor: Cursor): void {
    for (let next = cursor.entries.next(); !next.done; next = cursor.entries.next()) {
      const { key, value: id } = next.value;
      if (cursor.from && sameKey(key, cursor.from)) continue;
      if (this.taken.has(id)) {
        cursor.blockedRun = false;
        continue;
      }
      if (this.gate.skips(id)) {
        if (cursor.blockedRun) this.gate.blocked?.extend(key);
        continue;
      }
      cursor.head = { key, id };
      return;
    }
    cursor.head = null;
  }
}
