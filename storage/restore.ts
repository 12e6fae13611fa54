// Puts a backup's file in place of the live one, with the environment closed.
//
// Order matters for a kill -9 at any point: the backup is first copied next to the
// live file as `data.mdb.restoring` and synced, the live file is kept aside (a hard
// link when the folders share a file system, else a copy), and only then does one
// rename replace data.mdb. data.mdb is always either the old file or the whole new
// one; the old one is never deleted.
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from './domain/errors.ts';
import { syncPath, type BackupInfo } from './backup.ts';

export interface SwapOutcome {
  /** Where the file that was live is kept, or null when there was none. */
  keptAside: string | null;
}

export function swapInBackup(dataDir: string, backup: BackupInfo, asideDir: string, now: number): Result<SwapOutcome> {
  const live = join(dataDir, 'data.mdb');
  const incoming = join(dataDir, 'data.mdb.restoring');
  try {
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(join(backup.path, 'data.mdb'), incoming);
    syncPath(incoming);
    let keptAside: string | null = null;
    if (existsSync(live)) {
      const folder = join(asideDir, `${stamp(now)}-before-${backup.name}`);
      mkdirSync(folder, { recursive: true });
      keptAside = join(folder, 'data.mdb');
      keepCopy(live, keptAside);
    }
    renameSync(incoming, live);
    // A reader table from the old file means nothing to the new one.
    rmSync(join(dataDir, 'lock.mdb'), { force: true });
    syncPath(dataDir);
    return ok({ keptAside });
  } catch (error) {
    rmSync(incoming, { force: true });
    return fail('AC_ERR_RESTORE_FAILED', (error as Error).message);
  }
}

/** Moves a bad data file (and its lock file) out of the data dir into `quarantineDir/<time>/`. */
export function quarantineDataFile(dataDir: string, quarantineDir: string, now: number): string {
  const folder = join(quarantineDir, stamp(now));
  mkdirSync(folder, { recursive: true });
  const target = join(folder, 'data.mdb');
  moveFile(join(dataDir, 'data.mdb'), target);
  rmSync(join(dataDir, 'lock.mdb'), { force: true });
  syncPath(dataDir);
  return target;
}

/** A leftover `data.mdb.restoring` from a restore a kill -9 interrupted: the live file was never replaced. */
export function removeInterruptedRestore(dataDir: string): void {
  rmSync(join(dataDir, 'data.mdb.restoring'), { force: true });
}

function keepCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
    syncPath(to);
    rmSync(from, { force: true });
  }
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}
