// Our own check that an environment's records and indexes agree, beyond what LMDB
// checks: every status index entry points at a task in that status, and every
// task is indexed. A damaged page shows up here as an LMDB error, a record that
// does not decode, or counts that disagree.
//
// Comparing counts reads keys only; following each status entry to its task decodes
// values (about a second per 100k tasks), so it yields to the event loop as it goes
// and stops after `maxRecords` entries when given (the check at open bounds it, the
// check of a fresh backup does not).
import { taskStatuses, type TaskStatus } from './domain/task-status.ts';
import { isCorruptionError } from './corruption-error.ts';
import type { LmdbStore } from './lmdb-store.ts';

export interface StoreCensus {
  /** Tasks per status, counted in the status index. */
  tasksByStatus: Record<TaskStatus, number>;
  /** Entries per named database. */
  entries: Record<string, number>;
}

/** A task record that did not decode in a sound tree (storage/damaged-records.ts quarantines it). */
export interface DamagedRecord {
  id: string;
  error: string;
}

/** `damaged`: the few records that did not decode in a sound tree. */
export type IntegrityReport = { ok: true; census: StoreCensus; damaged: DamagedRecord[] } | { ok: false; reason: string };

const yieldEvery = 250;
/** Bounds what the check adds to a start or a backup (about 0.2 s unloaded); the counts are always compared in full. */
export const defaultMaxCheckedRecords = 20_000;
/** More undecodable records than this in one check is page damage, not a damaged record. */
const maxUndecodableRecords = 3;

export async function checkStoreIntegrity(store: LmdbStore, options: { maxRecords?: number } = {}): Promise<IntegrityReport> {
  try {
    const census = censusOf(store);
    const active = Object.entries(census.tasksByStatus).filter(([status]) => status !== 'dead_letter').reduce((sum, [, n]) => sum + n, 0);
    if (active !== census.entries.tasks) {
      return { ok: false, reason: `status index lists ${active} active tasks, the tasks table holds ${census.entries.tasks}` };
    }
    if (census.tasksByStatus.dead_letter !== census.entries.dead_letters) {
      return { ok: false, reason: `status index lists ${census.tasksByStatus.dead_letter} dead letters, the table holds ${census.entries.dead_letters}` };
    }
    let checked = 0;
    const damaged: DamagedRecord[] = [];
    for (const { key, value: id } of store.byStatus.getRange({ limit: options.maxRecords })) {
      if (++checked % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
      const [status] = key;
      let task;
      try {
        task = status === 'dead_letter' ? store.deadLetters.get(id) : store.tasks.get(id);
      } catch (error) {
        // One record that does not decode in a sound tree is a damaged record: listings skip
        // and report it, and restoring an older backup for it would lose every later task.
        // Many of them mean damaged pages.
        if (isCorruptionError(error) || damaged.length >= maxUndecodableRecords) throw error;
        damaged.push({ id, error: (error as Error).message ?? String(error) });
        continue;
      }
      if (!task || task.status !== status || task.id !== id) return { ok: false, reason: `status index entry ${status}/${id} does not match its task` };
    }
    if (census.entries.ready !== census.tasksByStatus.queued) {
      return { ok: false, reason: `ready index holds ${census.entries.ready} entries for ${census.tasksByStatus.queued} queued tasks` };
    }
    return { ok: true, census, damaged };
  } catch (error) {
    return { ok: false, reason: `reading the store failed: ${(error as Error).message}` };
  }
}

/** Counts only: keys, no values decoded. */
export function censusOf(store: LmdbStore): StoreCensus {
  const tasksByStatus = Object.fromEntries(
    taskStatuses.map((status) => [status, store.byStatus.getCount({ start: [status], end: [status, Infinity] })]),
  ) as Record<TaskStatus, number>;
  return { tasksByStatus, entries: store.live.entryCounts() };
}
