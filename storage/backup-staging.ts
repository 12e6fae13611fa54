// Where a backup's snapshot copy is taken before it goes to disk: a folder in memory
// (`backup_staging_dir`, by default /dev/shm), when there is room for the copy.
//
// mdb_env_copy2 writes the whole copy in one burst, with O_DIRECT where it can, and every
// assignment made meanwhile waits behind that burst for its own commit's fsync. Taken into
// memory, the copy costs the disk nothing; storage/budgeted-copy.ts then writes it to the
// backup dir at a bounded rate. With no room (or no such folder) the backup copies straight
// to the backup dir as before: slower for the hub's p99, never wrong.
//
// Each staging folder is named `agentcom-backup-staging-<pid>-<random>`. Removed on success
// and failure; a kill -9 leaves one behind, which the next hub start (or backup) sweeps: a
// folder whose process is gone, or one of this process that no backup of it is using (a
// restarted container's hub often gets the pid its predecessor had).
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { randomHex } from './random-hex.ts';

export interface StagingOptions {
  /** The folder staging copies go under, e.g. /dev/shm. */
  dir: string;
  /** Bytes free for a copy there; measured (free space, and memory the process may still use) when not given. */
  freeBytes?: number;
}

export type StagingChoice = { staged: true; dir: string } | { staged: false; reason: string };

const stagingPrefix = 'agentcom-backup-staging-';
const MiB = 1024 * 1024;
const tmpfsMagic = 0x01021994;
/** Folders of this process that a backup is using now: the sweep leaves them. */
const inUse = new Set<string>();

/** Room a copy of `bytes` needs: the copy, a tenth more, and 64 MiB for everything else using that memory. */
export function stagingRoomNeeded(bytes: number): number {
  return Math.ceil(bytes * 1.1) + 64 * MiB;
}

/** Makes a staging folder for a copy of about `bytes`, or says why the copy goes straight to disk. */
export function openStaging(options: StagingOptions | null, bytes: number): StagingChoice {
  if (!options || options.dir === '' || options.dir === 'off') return { staged: false, reason: 'staging is off' };
  if (!existsSync(options.dir)) return { staged: false, reason: `${options.dir} does not exist` };
  const free = options.freeBytes ?? freeBytesAt(options.dir);
  const needed = stagingRoomNeeded(bytes);
  if (free < needed) return { staged: false, reason: `${options.dir} has ${mib(free)} MiB free, the copy needs ${mib(needed)} MiB` };
  const dir = join(options.dir, `${stagingPrefix}${process.pid}-${randomHex(4)}`);
  try {
    mkdirSync(dir);
  } catch (error) {
    return { staged: false, reason: `${dir}: ${(error as Error).message}` };
  }
  inUse.add(dir);
  return { staged: true, dir };
}

export function closeStaging(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  inUse.delete(dir);
}

/** Removes staging folders left by a process that is gone (a kill -9 mid-backup). Returns the paths removed. */
export function sweepStaleStaging(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(stagingPrefix)) continue;
    const path = join(root, name);
    const pid = Number(name.slice(stagingPrefix.length).split('-')[0]);
    const stale = pid === process.pid ? !inUse.has(path) : !processAlive(pid);
    if (!stale) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** Free space at `dir`; on a tmpfs also capped by the memory this process may still use, since a copy there is memory. */
function freeBytesAt(dir: string): number {
  try {
    const stats = statfsSync(dir);
    const free = Number(stats.bavail) * Number(stats.bsize);
    if (stats.type !== tmpfsMagic) return free;
    // availableMemory (Node ≥ 20.13) honours a cgroup's memory limit, which a tmpfs in a container counts against.
    return Math.min(free, typeof process.availableMemory === 'function' ? process.availableMemory() : Infinity);
  } catch {
    return 0;
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / MiB);
}
