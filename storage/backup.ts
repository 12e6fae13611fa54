// Online backups: a copy of the environment from one read snapshot, taken while the
// hub serves (LMDB's mdb_env_copy2, which lmdb-js runs on a worker thread).
//
// A backup is a folder `backup-<time>` in the backup dir holding data.mdb and
// manifest.json. It is written as `.partial-backup-<time>`, opened read-only and
// checked (storage/store-integrity.ts), hashed, given its manifest, and only then
// renamed: a kill -9 at any point leaves at most a `.partial-` folder, which is
// never listed and is removed by the next backup.
//
// The copy is taken into memory first when there is room (storage/backup-staging.ts) and
// written to the `.partial-` folder at a bounded rate, hashed on the way
// (storage/budgeted-copy.ts): the disk never sees the copy's burst, which the hub's commit
// fsyncs queued behind. Without room it is copied straight into the `.partial-` folder.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from './domain/errors.ts';
import type { BackupInfo, BackupManifest } from './domain/storage-reports.ts';
import { checkCopyOffThread, sha256OffThread, writeStagedCopyOffThread, type CopyCheck } from './backup-check.ts';
import { closeStaging, openStaging, sweepStaleStaging, type StagingOptions } from './backup-staging.ts';
import { defaultWriteMbPerSecond, writeBudget, type WriteBudget } from './budgeted-copy.ts';
import { checkEnvironmentFile } from './environment-file.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { storageStats } from './storage-stats.ts';
import { classifyWriteError } from './write-failure.ts';

export type { BackupInfo, BackupManifest };



/** How the copy was made: not part of the manifest, reported in the log. */
export interface BackupCopyReport {
  staged: boolean;
  /** Why the copy went straight to the backup dir. */
  direct_reason?: string;
  /** The snapshot copy (into staging, or straight to the backup dir), ms. */
  copy_ms: number;
  /** Staged only: writing to the backup dir under the budget, with the check of the result, ms. */
  write_ms?: number;
  chunks?: number;
  syncs?: number;
}

export type TakenBackup = BackupInfo & { copy: BackupCopyReport };

export interface BackupProgress {
  bytes_written: number;
  bytes_expected: number;
}

export interface BackupOptions {
  backupDir: string;
  hubVersion: string;
  /** Compacting copy: slower, and leaves the free pages out. */
  compact: boolean;
  now?: () => number;
  onProgress?: (progress: BackupProgress) => void;
  /** Take the copy into this folder in memory first; null (the default) copies straight to the backup dir. */
  staging?: StagingOptions | null;
  /** How a staged copy is written to the backup dir (default: 50 MB/s, 1 MiB chunks, an fdatasync every 4 MiB). */
  writeBudget?: WriteBudget;
}

const partialPrefix = '.partial-';
const backupPrefix = 'backup-';
const progressIntervalMs = 100;

export async function takeBackup(store: LmdbStore, options: BackupOptions): Promise<Result<TakenBackup>> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const name = `${backupPrefix}${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}`;
  const partial = join(options.backupDir, `${partialPrefix}${name}`);
  const final = join(options.backupDir, name);
  if (existsSync(final)) return fail('AC_ERR_BACKUP_FAILED', `${final} already exists`);
  removePartialBackups(options.backupDir);
  if (options.staging) sweepStaleStaging(options.staging.dir);
  mkdirSync(partial, { recursive: true });

  const stats = storageStats(store);
  const expected = (options.compact ? stats.pages_used : stats.pages_total) * stats.page_size;
  const progress = setInterval(() => options.onProgress?.({ bytes_written: fileSize(join(partial, 'data.mdb')), bytes_expected: expected }), progressIntervalMs);
  const staging = openStaging(options.staging ?? null, expected);
  try {
    const copied = staging.staged
      ? await copyThroughStaging(store, staging.dir, partial, options)
      : await copyDirect(store, partial, options.compact, staging.reason);
    clearInterval(progress);
    options.onProgress?.({ bytes_written: fileSize(join(partial, 'data.mdb')), bytes_expected: expected });
    const { checked, report } = copied;
    const manifest: BackupManifest = {
      format: 1,
      name,
      created_at: startedAt,
      hub_version: options.hubVersion,
      compact: options.compact,
      task_counts: checked.census.tasksByStatus,
      entries: checked.census.entries,
      size_bytes: fileSize(join(partial, 'data.mdb')),
      sha256: checked.sha256,
      duration_ms: now() - startedAt,
    };
    writeDurably(join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    syncPath(partial);
    // The manifest as written must read back and match the file before the backup counts.
    const reread = readBackup(partial);
    if (!reread || reread.manifest.sha256 !== manifest.sha256) throw new Error('manifest did not read back');
    renameSync(partial, final);
    syncPath(options.backupDir);
    return ok({ name, path: final, manifest: { ...manifest, duration_ms: now() - startedAt }, copy: report });
  } catch (error) {
    clearInterval(progress);
    rmSync(partial, { recursive: true, force: true });
    // No room in the backup dir is the disk-full answer (507), like every other write the disk refused.
    if (classifyWriteError(error).kind === 'full') return fail('AC_ERR_STORAGE_FULL', `backup to ${options.backupDir}: ${(error as Error).message}`);
    return fail('AC_ERR_BACKUP_FAILED', (error as Error).message);
  } finally {
    if (staging.staged) closeStaging(staging.dir);
  }
}

interface CheckedCopy {
  checked: CopyCheck;
  report: BackupCopyReport;
}

/** mdb_env_copy2 into the `.partial-` folder, then the check and the hash on a worker thread. */
async function copyDirect(store: LmdbStore, partial: string, compact: boolean, reason: string): Promise<CheckedCopy> {
  const started = performance.now();
  // mdb_env_copy2 reads one snapshot: writes committed after it began are not in the copy.
  await store.root.backup(partial, compact);
  const copyMs = performance.now() - started;
  // Checked and hashed on a worker thread: the event loop goes on serving meanwhile.
  const checked = await checkCopyOffThread(partial);
  if (!checked.ok) throw new Error(checked.reason);
  return { checked: checked.value, report: { staged: false, direct_reason: reason, copy_ms: Math.round(copyMs) } };
}

/**
 * mdb_env_copy2 into the staging folder (memory), then, on a worker thread, written to the
 * `.partial-` folder under the budget and hashed on the way, and checked there. A staging
 * folder that fills up after all (another process took the room) falls back to the direct copy.
 */
async function copyThroughStaging(store: LmdbStore, stagingDir: string, partial: string, options: BackupOptions): Promise<CheckedCopy> {
  const started = performance.now();
  try {
    await store.root.backup(stagingDir, options.compact);
  } catch (error) {
    if (classifyWriteError(error).kind !== 'full') throw error;
    rmSync(join(stagingDir, 'data.mdb'), { force: true });
    return copyDirect(store, partial, options.compact, `staging ran out of room: ${(error as Error).message}`);
  }
  const copyMs = performance.now() - started;
  const budget = options.writeBudget ?? writeBudget(defaultWriteMbPerSecond);
  const written = await writeStagedCopyOffThread(join(stagingDir, 'data.mdb'), partial, budget);
  if (!written.ok) throw new Error(written.reason);
  const { chunks, syncs, ...checked } = written.value;
  return {
    checked,
    report: { staged: true, copy_ms: Math.round(copyMs), write_ms: Math.round(performance.now() - started - copyMs), chunks, syncs },
  };
}

/** Good backups, newest first: complete folders whose manifest reads and whose file has the manifest's size. */
export function listBackups(backupDir: string): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(backupDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(backupPrefix))
    .map((name) => readBackup(join(backupDir, name)))
    .filter((info): info is BackupInfo => info !== null)
    .sort((a, b) => b.manifest.created_at - a.manifest.created_at || b.name.localeCompare(a.name));
}

/** Deletes the oldest good backups past `keep`. Returns the names removed. */
export function pruneBackups(backupDir: string, keep: number): string[] {
  const doomed = listBackups(backupDir).slice(Math.max(keep, 1));
  for (const info of doomed) rmSync(info.path, { recursive: true, force: true });
  return doomed.map((info) => info.name);
}

/** Before a backup is used: its file still hashes to the manifest's sha256 and its meta pages are sound. */
export async function verifyBackupFile(info: BackupInfo): Promise<Result<BackupInfo>> {
  const file = join(info.path, 'data.mdb');
  const meta = checkEnvironmentFile(info.path);
  if (!meta.ok) return fail('AC_ERR_BACKUP_INVALID', info.name, meta.reason);
  const sha256 = await sha256OffThread(file);
  if (!sha256.ok) return fail('AC_ERR_BACKUP_INVALID', info.name, sha256.reason);
  if (sha256.value !== info.manifest.sha256) return fail('AC_ERR_BACKUP_INVALID', info.name, 'sha256 differs from the manifest');
  return ok(info);
}

export function readBackup(path: string): BackupInfo | null {
  try {
    const manifest = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as BackupManifest;
    if (manifest.format !== 1 || typeof manifest.sha256 !== 'string' || typeof manifest.created_at !== 'number') return null;
    if (fileSize(join(path, 'data.mdb')) !== manifest.size_bytes) return null;
    return { name: manifest.name, path, manifest };
  } catch {
    return null;
  }
}

function removePartialBackups(backupDir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(backupDir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(partialPrefix)) rmSync(join(backupDir, name), { recursive: true, force: true });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function writeDurably(path: string, text: string): void {
  writeFileSync(path, text);
  syncPath(path);
}

/** fsync of a file, or of a folder so a rename in it is durable. */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
