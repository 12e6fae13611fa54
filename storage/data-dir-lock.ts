// One hub per data dir. LMDB lets many processes open one environment, so two hubs
// on one folder would both take writes and assign the same tasks: a lock file
// names the owner, and a second hub refuses while that owner lives.
//
// The lock file appears whole or not at all (written under a temporary name, then
// hard-linked into place, which fails if it exists). A lock whose process is gone
// (kill -9, power loss) is stale: it is taken over under a short-lived guard
// folder, and only if it still holds exactly what was judged stale, so two hubs
// starting at once over a stale lock cannot both win.
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const lockFileName = 'agentcom.lock';

export interface LockOwner {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux /proc), so a reused pid is not taken for the owner. */
  started: string | null;
  since: number;
}

export interface DataDirLock {
  readonly path: string;
  /** The stale owner this lock replaced, if any. */
  readonly tookOverFrom: LockOwner | null;
  /** Removes the lock file if it is still this process's. */
  release(): void;
}

export type LockOutcome =
  | { ok: true; lock: DataDirLock }
  | { ok: false; reason: 'held'; path: string; owner: LockOwner }
  | { ok: false; reason: 'io'; path: string; error: NodeJS.ErrnoException };

/** A guard folder older than this belonged to a process that died mid-takeover. */
const guardStaleMs = 10_000;
const attempts = 20;

export function acquireDataDirLock(dir: string, now = Date.now()): LockOutcome {
  const path = join(dir, lockFileName);
  const mine: LockOwner = { pid: process.pid, host: hostname(), started: processStart(process.pid), since: now };
  const text = `${JSON.stringify(mine)}\n`;
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const created = createWhole(path, text);
    if (created === true) return { ok: true, lock: heldLock(path, text, tookOverFrom) };
    if (created !== 'exists') return { ok: false, reason: 'io', path, error: created };
    const current = readLock(path);
    if (current === null) continue; // removed meanwhile: try again
    if (current.owner && ownerLives(current.owner)) return { ok: false, reason: 'held', path, owner: current.owner };
    const taken = takeOverStale(path, current.text);
    if (taken instanceof Error) return { ok: false, reason: 'io', path, error: taken };
    if (taken && current.owner) tookOverFrom = current.owner;
    if (!taken) sleepMs(20);
  }
  return { ok: false, reason: 'io', path, error: Object.assign(new Error('lock file kept changing'), { code: 'EBUSY' }) };
}

function heldLock(path: string, text: string, tookOverFrom: LockOwner | null): DataDirLock {
  let released = false;
  return {
    path,
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      if (readLock(path)?.text === text) unlinkSync(path);
    },
  };
}

/** true, 'exists', or the I/O error (read-only folder, missing folder…). */
function createWhole(path: string, text: string): true | 'exists' | NodeJS.ErrnoException {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(temporary, text, { flag: 'wx' });
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists';
    return error as NodeJS.ErrnoException;
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Already gone: nothing to clean.
    }
  }
}

function readLock(path: string): { text: string; owner: LockOwner | null } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return { text, owner: null };
    return { text, owner: { pid: parsed.pid, host: parsed.host, started: parsed.started ?? null, since: parsed.since ?? 0 } };
  } catch {
    // Unreadable content cannot name a live owner (the file is never written in place).
    return { text, owner: null };
  }
}

/** An owner on another host cannot be checked from here, so it counts as alive. */
export function ownerLives(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const started = processStart(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

/** Removes a stale lock if it still holds `staleText`. false when another process is busy taking it over. */
function takeOverStale(path: string, staleText: string): boolean | NodeJS.ErrnoException {
  const guard = `${path}.takeover`;
  try {
    mkdirSync(guard);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') return error as NodeJS.ErrnoException;
    removeAbandonedGuard(guard);
    return false;
  }
  try {
    if (readLock(path)?.text === staleText) unlinkSync(path);
    return true;
  } finally {
    rmdirSync(guard);
  }
}

function removeAbandonedGuard(guard: string): void {
  try {
    if (Date.now() - statSync(guard).mtimeMs > guardStaleMs) rmdirSync(guard);
  } catch {
    // Gone already, or removed by the other starter.
  }
}

/** Field 22 of /proc/<pid>/stat: start time in ticks after boot; null where /proc is missing. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
