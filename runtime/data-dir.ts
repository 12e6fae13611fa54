// Readies the data dir before LMDB opens it: created when missing, checked to be a
// writable folder, and locked to this hub. Each refusal is one line with a code,
// never an LMDB stack trace.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { acquireDataDirLock, type DataDirLock } from '../storage/data-dir-lock.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';

export interface PreparedDataDir {
  lock: DataDirLock;
  /** True when this start created the folder (a first start). */
  created: boolean;
  /** The git work tree the folder sits in, where `git clean -xdf` would delete it; null outside one. */
  insideCheckout: string | null;
}

export function prepareDataDir(dir: string): Result<PreparedDataDir> {
  let created = false;
  try {
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (!stat) {
      mkdirSync(dir, { recursive: true });
      created = true;
    } else if (!stat.isDirectory()) {
      return fail('AC_ERR_DATA_DIR_UNUSABLE', dir, 'it is not a folder');
    }
  } catch (error) {
    return fail('AC_ERR_DATA_DIR_UNUSABLE', dir, describe(error, 'cannot be created'));
  }
  const locked = acquireDataDirLock(dir);
  if (!locked.ok) {
    if (locked.reason === 'held') {
      return fail('AC_ERR_DATA_DIR_LOCKED', dir, locked.owner.pid, locked.owner.host, locked.path);
    }
    return fail('AC_ERR_DATA_DIR_UNUSABLE', dir, describe(locked.error, 'is not writable'));
  }
  return ok({ lock: locked.lock, created, insideCheckout: gitWorkTreeOf(dir) });
}

const causes: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a parent is not a folder',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

function describe(error: unknown, what: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return `${what} (${causes[code] ?? (error as Error).message}${code ? `, ${code}` : ''})`;
}

/** The nearest folder at or above `dir` holding `.git`, or null. */
export function gitWorkTreeOf(dir: string): string | null {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return null;
  }
}
