// Recurring-task schedules on LMDB (database `schedules`, id → record). Each write is
// one transaction and resolves after the flush, as everywhere.
import type { Database } from 'lmdb';
import { durablyOrRefused } from './durable-write.ts';
import type { LmdbStore } from './lmdb-store.ts';

export interface ScheduleRecord {
  id: string;
  name: string | null;
  cron: string;
  timezone: string;
  catch_up: 'none' | 'last' | 'all';
  /** The task submit body each firing submits. */
  task: Record<string, unknown>;
  paused: boolean;
  created_at: number;
  /** Scheduled time of the last firing handled (submitted or skipped by catch_up); firings after it are due. */
  last_fired_at: number;
  /** Task submitted by the last firing. */
  last_task_id: string | null;
}

export class ScheduleStore {
  private readonly schedules: Database<ScheduleRecord, string>;

  constructor(private readonly store: LmdbStore) {
    // Through the live environment, as every database: a compaction swaps the file under it.
    this.schedules = store.live.database('schedules', {});
  }

  get(id: string): ScheduleRecord | undefined {
    return this.schedules.get(id);
  }

  list(): ScheduleRecord[] {
    return [...this.schedules.getRange()].map(({ value }) => value);
  }

  /** Resolves once durable; a write the disk cannot take rejects with a ThrownFailure (507 on a full disk). */
  async put(record: ScheduleRecord): Promise<void> {
    await durablyOrRefused(this.store, () => this.schedules.put(record.id, record));
  }

  async remove(id: string): Promise<boolean> {
    return durablyOrRefused(this.store, () => this.schedules.remove(id));
  }
}
