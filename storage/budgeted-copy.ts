// A file copy that writes to disk at a bounded rate, in bounded chunks, syncing as it goes,
// and hashes what it writes. It moves a staged backup (storage/backup-staging.ts) from memory
// to the backup dir on the backup's worker thread.
//
// Why: a copy written in one burst (mdb_env_copy2 writes with O_DIRECT, as fast as the disk
// takes it) queues tens of MiB in front of the hub's own commit fsyncs; a probe fsync waited
// 80 to 110 ms behind a 130 MB burst on this disk, and every assignment waits for one such
// fsync. Written at a budget with an fdatasync every few MiB, at most those few MiB are ever
// dirty, and the probe's fsyncs stayed within a few ms of idle.
import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface WriteBudget {
  /** Bytes read and written at a time. */
  chunkBytes: number;
  /** An fdatasync after every this many bytes written (and at the end). */
  syncEveryBytes: number;
  /** The write rate not to exceed on average; 0 writes as fast as the disk takes it (still in chunks, still syncing). */
  bytesPerSecond: number;
}

export interface BudgetedCopyOutcome {
  bytes: number;
  chunks: number;
  syncs: number;
  sha256: string;
}

const MiB = 1024 * 1024;
/** `backup_write_mb_per_s`'s default: on the development disk fsyncs beside it stayed within a few ms of idle. */
export const defaultWriteMbPerSecond = 50;

/** `backup_write_mb_per_s` → a budget: 1 MiB chunks, an fdatasync every 4 MiB. */
export function writeBudget(mbPerSecond: number): WriteBudget {
  return { chunkBytes: MiB, syncEveryBytes: 4 * MiB, bytesPerSecond: Math.max(0, mbPerSecond) * MiB };
}

/** How long to wait before writing more, so that the bytes written so far are not ahead of the budget's line. */
export function budgetDelayMs(writtenBytes: number, elapsedMs: number, bytesPerSecond: number): number {
  if (bytesPerSecond <= 0) return 0;
  return Math.max(0, (writtenBytes / bytesPerSecond) * 1000 - elapsedMs);
}

/** The chunks and fdatasyncs a copy of `totalBytes` makes under `budget` (the copy below makes exactly these). */
export function copyPlan(totalBytes: number, budget: WriteBudget): { chunks: number; syncs: number } {
  const chunks = Math.ceil(totalBytes / budget.chunkBytes);
  let syncs = 0;
  let sinceSync = 0;
  for (let i = 0; i < chunks; i++) {
    sinceSync += Math.min(budget.chunkBytes, totalBytes - i * budget.chunkBytes);
    if (sinceSync >= budget.syncEveryBytes) {
      syncs += 1;
      sinceSync = 0;
    }
  }
  // The last sync makes the tail durable (an empty file gets one too, for its size).
  return { chunks, syncs: sinceSync > 0 || syncs === 0 ? syncs + 1 : syncs };
}

/** What the copy waits with and reads the time from (tests give it a clock only the waits move). */
export interface CopyClock {
  now: () => number;
  sleep: (ms: number) => Promise<unknown>;
}

const realClock: CopyClock = { now: () => performance.now(), sleep: sleepFor };

/**
 * Copies `from` to `to` (which must not exist) under `budget`. Synchronous file calls on the
 * calling thread, so run it on a worker thread: they leave libuv's pool, which the hub's own
 * file work uses, alone. Before each chunk it waits while the bytes already written are ahead
 * of the budget's line.
 */
export async function budgetedCopy(from: string, to: string, budget: WriteBudget, clock: CopyClock = realClock): Promise<BudgetedCopyOutcome> {
  const source = openSync(from, 'r');
  let target: number | null = null;
  try {
    target = openSync(to, 'wx');
    const total = fstatSync(source).size;
    const buffer = Buffer.allocUnsafe(budget.chunkBytes);
    const hash = createHash('sha256');
    const started = clock.now();
    let written = 0;
    let chunks = 0;
    let syncs = 0;
    let sinceSync = 0;
    while (written < total) {
      const wait = budgetDelayMs(written, clock.now() - started, budget.bytesPerSecond);
      // Under a millisecond is not worth a timer: the line is checked again before the next chunk.
      if (wait >= 1) await clock.sleep(wait);
      const length = readSync(source, buffer, 0, Math.min(budget.chunkBytes, total - written), written);
      if (length === 0) throw new Error(`${from} ended at ${written} of ${total} bytes`);
      const bytes = buffer.subarray(0, length);
      hash.update(bytes);
      for (let done = 0; done < length; ) done += writeSync(target, bytes, done, length - done, written + done);
      written += length;
      chunks += 1;
      sinceSync += length;
      if (sinceSync >= budget.syncEveryBytes) {
        fdatasyncSync(target);
        syncs += 1;
        sinceSync = 0;
      }
    }
    if (sinceSync > 0 || syncs === 0) {
      fdatasyncSync(target);
      syncs += 1;
    }
    return { bytes: written, chunks, syncs, sha256: hash.digest('hex') };
  } finally {
    closeSync(source);
    if (target !== null) closeSync(target);
  }
}
