// Opens the hub's store only after checking it, and recovers from a bad file.
//
// 1. The file is checked against its meta pages before LMDB maps it (a truncated
//    file would otherwise end the process with SIGBUS).
// 2. Once open, our own integrity check compares records and indexes.
// A failure of either moves the file into quarantine and restores the newest good
// backup (whose hash must still match its manifest). With no good backup the open
// fails with AC_ERR_STORAGE_CORRUPT, naming the quarantined file, unless the
// operator asked to start empty (--recover-empty). It never wipes data silently and,
// since a bad file is moved away first, a restart never meets the same bad file
// twice: no crash loop.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from './domain/errors.ts';
import type { RecoveryReport } from './domain/storage-reports.ts';
import { listBackups, verifyBackupFile, type BackupInfo } from './backup.ts';
import { quarantineDamagedRecords, type DamagedRecord, type RecordsQuarantine } from './damaged-records.ts';
import { checkEnvironmentFile } from './environment-file.ts';
import { openLmdbStore, type LmdbStore } from './lmdb-store.ts';
import { quarantineDataFile, removeInterruptedRestore, swapInBackup } from './restore.ts';
import { checkStoreIntegrity, defaultMaxCheckedRecords } from './store-integrity.ts';

export type { RecoveryReport };


export interface CheckedOpenOptions {
  dataDir: string;
  backupDir: string;
  recoverEmpty: boolean;
  /** Records followed from the status index to their tasks at open; the counts are always compared in full. */
  maxCheckedRecords?: number;
  now?: () => number;
}

export interface CheckedStore {
  store: LmdbStore;
  recovery: RecoveryReport | null;
  /**
   * Records the check found undecodable in a sound tree, already quarantined and removed
   * (storage/damaged-records.ts) before anything else reads the store; null when none.
   */
  damaged: Result<RecordsQuarantine> | null;
}



/** The folder a compaction writes its copy to; a kill -9 can leave it behind. */
export function compactionDirOf(dataDir: string): string {
  return join(dataDir, 'compacting');
}

export function quarantineDirOf(backupDir: string): string {
  return join(backupDir, 'quarantine');
}

export function replacedDirOf(backupDir: string): string {
  return join(backupDir, 'replaced');
}

/**
 * Left in the data dir when a start was refused: the data file is in quarantine, so
 * without it the next start (pm2, systemd) would find no file and start empty.
 */
export function refusalMarkerOf(dataDir: string): string {
  return join(dataDir, 'QUARANTINED.json');
}

export async function openCheckedStore(options: CheckedOpenOptions): Promise<Result<CheckedStore>> {
  const now = options.now ?? Date.now;
  rmSync(compactionDirOf(options.dataDir), { recursive: true, force: true });
  removeInterruptedRestore(options.dataDir);
  const marker = refusalMarkerOf(options.dataDir);
  if (existsSync(marker)) {
    // A file put back by hand (or by `agentcom restore`) is checked like any other.
    if (!existsSync(join(options.dataDir, 'data.mdb'))) {
      const refused = JSON.parse(readFileSync(marker, 'utf8')) as { reason: string };
      return recover(options, refused.reason, now);
    }
    rmSync(marker, { force: true });
  }
  const problem = await problemWith(options.dataDir, options.maxCheckedRecords ?? defaultMaxCheckedRecords);
  if (problem.store) {
    return ok({ store: problem.store, recovery: null, damaged: await quarantinedRecords(problem.store, problem.damaged, options, now) });
  }
  return recover(options, problem.reason, now);
}

/** Restores the newest good backup over a bad file (moved to quarantine first). */
export async function recover(options: CheckedOpenOptions, reason: string, now: () => number): Promise<Result<CheckedStore>> {
  const marker = refusalMarkerOf(options.dataDir);
  const earlier = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as { quarantined: string }).quarantined : null;
  const quarantined = existsSync(join(options.dataDir, 'data.mdb'))
    ? quarantineDataFile(options.dataDir, quarantineDirOf(options.backupDir), now())
    : earlier ?? '(no file)';
  for (const candidate of listBackups(options.backupDir)) {
    const verified = await verifyBackupFile(candidate);
    if (!verified.ok) continue;
    const swapped = swapInBackup(options.dataDir, candidate, replacedDirOf(options.backupDir), now());
    if (!swapped.ok) continue;
    const reopened = await problemWith(options.dataDir, Infinity);
    if (!reopened.store) {
      quarantineDataFile(options.dataDir, quarantineDirOf(options.backupDir), now());
      continue;
    }
    rmSync(marker, { force: true });
    return ok({
      store: reopened.store,
      recovery: { at: now(), reason, quarantined, backup: summaryOf(candidate, now()) },
      damaged: await quarantinedRecords(reopened.store, reopened.damaged, options, now),
    });
  }
  if (!options.recoverEmpty) {
    writeFileSync(marker, `${JSON.stringify({ reason, quarantined, at: now() })}\n`);
    return fail('AC_ERR_STORAGE_CORRUPT', reason, quarantined, options.backupDir);
  }
  rmSync(marker, { force: true });
  return ok({ store: openLmdbStore({ path: options.dataDir }), recovery: { at: now(), reason, quarantined, backup: null }, damaged: null });
}

/** Before the queue loads its counts from the store: damaged records leave it first. */
async function quarantinedRecords(
  store: LmdbStore, damaged: DamagedRecord[], options: CheckedOpenOptions, now: () => number,
): Promise<Result<RecordsQuarantine> | null> {
  if (damaged.length === 0) return null;
  return quarantineDamagedRecords(store, damaged, quarantineDirOf(options.backupDir), now());
}

async function problemWith(
  dataDir: string, maxRecords: number,
): Promise<{ store: LmdbStore; damaged: DamagedRecord[]; reason?: undefined } | { store?: undefined; reason: string }> {
  const file = checkEnvironmentFile(dataDir);
  if (!file.ok) return { reason: file.reason };
  let store: LmdbStore;
  try {
    store = openLmdbStore({ path: dataDir });
  } catch (error) {
    // A damaged lock file holds no data (only the reader table): drop it and try once more.
    rmSync(join(dataDir, 'lock.mdb'), { force: true });
    try {
      store = openLmdbStore({ path: dataDir });
    } catch {
      return { reason: `LMDB refused to open it: ${(error as Error).message}` };
    }
  }
  const report = await checkStoreIntegrity(store, { maxRecords: Number.isFinite(maxRecords) ? maxRecords : undefined });
  if (report.ok) return { store, damaged: report.damaged };
  await store.close().catch(() => undefined);
  return { reason: report.reason };
}

function summaryOf(backup: BackupInfo, now: number): NonNullable<RecoveryReport['backup']> {
  const counts = backup.manifest.task_counts;
  return {
    name: backup.name,
    created_at: backup.manifest.created_at,
    age_ms: now - backup.manifest.created_at,
    tasks_total: Object.values(counts).reduce((sum, n) => sum + n, 0),
    task_counts: counts,
  };
}
