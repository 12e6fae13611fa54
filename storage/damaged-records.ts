// Damaged task records (a few that do not decode in an otherwise sound tree) taken out of
// the live store: their raw bytes and keys are copied into a quarantine folder first, then
// the records and every index entry that points at them go in one durable write, so the
// next listing is clean and an operator still holds the bytes to inspect or hand-repair.
//
// Found by the integrity check at open (storage/store-integrity.ts) and by listings that
// had to skip a record (storage/task-listing.ts). Only a record that still fails to decode
// when this runs is taken out; a record that reads fine is left alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Key } from 'lmdb';
import { ok, type Result } from './domain/errors.ts';
import type { QuarantinedRecord, RecordsQuarantine } from './domain/storage-reports.ts';
import { syncPath } from './backup.ts';
import { durableWrite } from './durable-write.ts';
import type { LmdbStore } from './lmdb-store.ts';
import type { DamagedRecord } from './store-integrity.ts';
import type { TaskRecord } from './task-record.ts';
import { readTaskRecord } from './task-record-reader.ts';

export type { DamagedRecord, QuarantinedRecord, RecordsQuarantine };



const indexNames = ['byStatus', 'ready', 'delayed', 'idempotency'] as const;

/**
 * Quarantines those of `candidates` that are still undecodable. Resolves with what it did
 * (an empty list when every candidate now reads, or is gone); the removal is durable then.
 */
export async function quarantineDamagedRecords(
  store: LmdbStore, candidates: readonly DamagedRecord[], quarantineDir: string, now: number,
): Promise<Result<RecordsQuarantine>> {
  const folder = join(quarantineDir, `records-${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
  const found: Array<{ record: QuarantinedRecord; raw: Buffer }> = [];
  for (const candidate of dedupe(candidates)) {
    for (const db of ['tasks', 'dead_letters'] as const) {
      const typed = db === 'tasks' ? store.tasks : store.deadLetters;
      const raw = (typed as unknown as Database<unknown, string>).getBinary(candidate.id);
      if (raw === undefined) continue;
      const read = readTaskRecord(typed as Database<TaskRecord, string>, candidate.id);
      if (read.ok) continue;
      found.push({
        raw: Buffer.from(raw),
        record: { id: candidate.id, error: read.error, db, file: `${db}.${fileSafe(candidate.id)}.bin`, bytes: raw.length, index_keys: indexEntriesOf(store, candidate.id) },
      });
    }
  }
  if (found.length === 0) return ok({ folder, at: now, records: [] });

  // The bytes are on disk before the records leave the store.
  mkdirSync(folder, { recursive: true });
  for (const { record, raw } of found) writeDurably(join(folder, record.file), raw);
  const records = found.map(({ record }) => record);
  writeDurably(join(folder, 'records.json'), `${JSON.stringify({ quarantined_at: now, records }, null, 2)}\n`);
  syncPath(folder);
  syncPath(quarantineDir);

  const removed = await durableWrite(store, () => {
    for (const record of records) {
      (record.db === 'tasks' ? store.tasks : store.deadLetters).remove(record.id);
      for (const name of indexNames) {
        for (const key of record.index_keys[name] ?? []) (store[name] as Database<unknown, Key>).remove(key as Key);
      }
    }
    return ok(records.length);
  });
  if (!removed.ok) return removed;
  return ok({ folder, at: now, records });
}

/** Keys of the index entries whose value is `id`: the record cannot be decoded to find them directly. */
function indexEntriesOf(store: LmdbStore, id: string): Record<string, unknown[]> {
  const entries: Record<string, unknown[]> = {};
  for (const name of indexNames) {
    const keys: unknown[] = [];
    for (const { key, value } of (store[name] as Database<unknown, Key>).getRange()) if (value === id) keys.push(key);
    if (keys.length > 0) entries[name] = keys;
  }
  return entries;
}

function dedupe(records: readonly DamagedRecord[]): DamagedRecord[] {
  return [...new Map(records.map((record) => [record.id, record])).values()];
}

function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

function writeDurably(path: string, data: string | Buffer): void {
  writeFileSync(path, data);
  syncPath(path);
}
