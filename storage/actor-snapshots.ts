// State that survives a restart besides the queue: agent actors' persisted XState snapshots
// (so an agent card keeps its "Done" count) and the metrics samples behind the dashboard's
// last-hour charts. Neither is waited for: each put rides the next commit's sync, so it costs
// no commit and no sync of its own, and a kill -9 loses at most what that commit would have carried.
import type { LmdbStore } from './lmdb-store.ts';

export class ActorSnapshots {
  /** Snapshots put during this event-loop turn, written together at its end. */
  private readonly pending = new Map<string, unknown>();

  constructor(private readonly store: Pick<LmdbStore, 'root' | 'snapshots' | 'metricsSamples'>) {}

  /**
   * Not awaited: the snapshots of one turn are written in one transaction callback, which joins
   * that turn's write batch. A put outside a transaction cost lmdb-js a write instruction and a
   * promise each, more than the pack; inside one it is a plain write.
   */
  put(systemId: string, persisted: unknown): void {
    if (this.pending.size === 0) queueMicrotask(() => this.writePending());
    this.pending.set(systemId, persisted);
  }

  private writePending(): void {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      // A failed commit is reported by the writes that wait for it; this one only loses counts.
      this.store.root.transaction(() => {
        for (const [systemId, persisted] of batch) void this.store.snapshots.put(systemId, persisted);
      }).catch(() => undefined);
    } catch {
      // The store closed within this turn (a stop): these snapshots go with it, as a kill -9 would lose them.
    }
  }

  get(systemId: string): unknown {
    return this.store.snapshots.get(systemId);
  }

  remove(systemId: string): void {
    this.pending.delete(systemId);
    void this.store.snapshots.remove(systemId);
  }

  /**
   * Keeps one metrics sample and drops those older than `keepFromMs`. Not awaited: a sample
   * lost to a crash is a gap in a chart, and the write rides the next commit's sync.
   */
  addSample(sample: { timestamp: number }, keepFromMs: number): void {
    void this.store.metricsSamples.put(sample.timestamp, sample);
    for (const key of this.store.metricsSamples.getKeys({ end: keepFromMs })) void this.store.metricsSamples.remove(key);
  }

  /** The kept samples from `sinceMs` on, oldest first. */
  samplesSince<T>(sinceMs: number): T[] {
    return [...this.store.metricsSamples.getRange({ start: sinceMs })].map(({ value }) => value as T);
  }
}
