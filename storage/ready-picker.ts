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
import type { Database } from 'lmdb';
import type { CapabilitySets } from './capability-sets.ts';
import type { ReadyKey } from './lmdb-store.ts';

interface Head {
  key: ReadyKey;
  id: string;
}

/** Decides whether a picked task may be assigned now; `skips` is a cheap early look for tasks known to wait. */
export interface PickGate {
  admit(taskId: string): boolean;
  skips(taskId: string): boolean;
}

const openGate: PickGate = { admit: () => true, skips: () => false };

interface Cursor {
  entries: Iterator<{ key: ReadyKey; value: string }>;
  head: Head | null;
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
      const admitted = this.gate.admit(best.head.id);
      this.advance(this.cursors.get(best.capset)!);
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
      const entries = this.ready.getRange({ start: [capset], end: [capset, Infinity] })[Symbol.iterator]();
      cursor = { entries, head: null };
      this.cursors.set(capset, cursor);
      this.advance(cursor);
    }
    return cursor.head;
  }

  private advance(cursor: Cursor): void {
    for (let next = cursor.entries.next(); !next.done; next = cursor.entries.next()) {
      if (!this.taken.has(next.value.value) && !this.gate.skips(next.value.value)) {
        cursor.head = { key: next.value.key, id: next.value.value };
        return;
      }
    }
    cursor.head = null;
  }
}

function isBefore(a: ReadyKey, b: ReadyKey): boolean {
  return a[1] < b[1] || (a[1] === b[1] && a[2] < b[2]);
}
