// State that survives a restart besides the queue: agent actors' persisted XState snapshots
// (so an agent card keeps its "Done" count) and the metrics samples behind the dashboard's
// last-hour charts. Neither is waited for: each put rides the next commit's sync, so it costs
// no commit and no sync of its own, and a kill -9 loses at most what that commit would have carried.
import type { LmdbStore } from './lmdb-store.ts';

export class ActorSnapshots {
  constructor(private readonly store: Pick<LmdbStore, 'snapshots' | 'metricsSamples'>) {}

  /** Not awaited: the snapshot joins the next write batch (an agent's next assignment, usually). */
  put(systemId: string, persisted: unknown): void {
    // A failed commit is reported by the writes that wait for it; this one only loses a count.
    this.store.snapshots.put(systemId, persisted).catch(() => undefined);
  }

  get(systemId: string): unknown {
    return this.store.snapshots.get(systemId);
  }

  remove(systemId: string): void {
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
