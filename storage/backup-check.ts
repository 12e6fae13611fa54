// The check a fresh backup copy passes before it counts, and the sha256 of backup files,
// done on a worker thread (storage/backup-check-worker.ts): opening a 100k-task copy,
// counting its indexes, decoding 20,000 of its records and hashing 70 MB held the hub's
// event loop for about a second in total, in slices of up to 120 ms, which every
// assignment made during a backup waited behind.
import { createHash } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { budgetedCopy, type WriteBudget } from './budgeted-copy.ts';
import { checkEnvironmentFile } from './environment-file.ts';
import { openLmdbStore } from './lmdb-store.ts';
import { checkStoreIntegrity, defaultMaxCheckedRecords, type StoreCensus } from './store-integrity.ts';
import { runWorker, workerModule } from './worker-thread.ts';

export type CopyCheckJob =
  | { kind: 'check'; dir: string; file: string }
  | { kind: 'hash'; file: string }
  | { kind: 'write-staged'; staged: string; dir: string; file: string; budget: WriteBudget };

/** What the worker posts back: plain data, so it crosses the thread boundary as is. */
export type CopyCheckOutput =
  | { ok: true; value: { census?: StoreCensus; sha256: string; chunks?: number; syncs?: number } }
  | { ok: false; reason: string };

export type CopyCheck = { census: StoreCensus; sha256: string };
export type StagedCopyCheck = CopyCheck & { chunks: number; syncs: number };

const worker = workerModule('backup-check-worker', import.meta.url);

/** Opens the copy in `dir` read-only, checks its records against its indexes, and hashes its data file. */
export async function checkCopyOffThread(dir: string): Promise<{ ok: true; value: CopyCheck } | { ok: false; reason: string }> {
  const output = await runJob({ kind: 'check', dir, file: join(dir, 'data.mdb') });
  if (!output.ok) return output;
  return { ok: true, value: { census: output.value.census!, sha256: output.value.sha256 } };
}

/**
 * Writes the staged copy `staged` to `file` (in `dir`) under the write budget, hashing it on
 * the way, then opens it read-only and checks it as above: no second read pass for the hash.
 */
export async function writeStagedCopyOffThread(
  staged: string, dir: string, budget: WriteBudget,
): Promise<{ ok: true; value: StagedCopyCheck } | { ok: false; reason: string }> {
  const output = await runJob({ kind: 'write-staged', staged, dir, file: join(dir, 'data.mdb'), budget });
  if (!output.ok) return output;
  const { census, sha256, chunks, syncs } = output.value;
  return { ok: true, value: { census: census!, sha256, chunks: chunks!, syncs: syncs! } };
}

/** Run on the worker thread. */
export async function writeStagedCopy(job: Extract<CopyCheckJob, { kind: 'write-staged' }>): Promise<CopyCheckOutput> {
  const written = await budgetedCopy(job.staged, job.file, job.budget);
  const checked = await verifyCopy(job.dir);
  if (!checked.ok) return checked;
  return { ok: true, value: { census: checked.value, sha256: written.sha256, chunks: written.chunks, syncs: written.syncs } };
}

export async function sha256OffThread(file: string): Promise<{ ok: true; value: string } | { ok: false; reason: string }> {
  const output = await runJob({ kind: 'hash', file });
  return output.ok ? { ok: true, value: output.value.sha256 } : output;
}

async function runJob(job: CopyCheckJob): Promise<CopyCheckOutput> {
  try {
    return await runWorker<CopyCheckJob, CopyCheckOutput>(worker, job);
  } catch (error) {
    return { ok: false, reason: `the check thread failed: ${(error as Error).message}` };
  }
}

// --- run on the worker thread -------------------------------------------------------------

/** Opens the copy read-only and runs the integrity check on it. */
export async function verifyCopy(dir: string): Promise<{ ok: true; value: StoreCensus } | { ok: false; reason: string }> {
  const meta = checkEnvironmentFile(dir);
  if (!meta.ok || meta.state !== 'valid') return { ok: false, reason: meta.ok ? 'the copy is empty' : meta.reason };
  const copy = openLmdbStore({ path: dir, readOnly: true });
  try {
    // Counts in full, records sampled: the check's cost stays bounded on a large copy.
    const report = await checkStoreIntegrity(copy, { maxRecords: defaultMaxCheckedRecords });
    return report.ok ? { ok: true, value: report.census } : { ok: false, reason: `the copy failed its check: ${report.reason}` };
  } finally {
    await copy.close();
    rmSync(join(dir, 'lock.mdb'), { force: true });
  }
}

/**
 * Hashes at most half the time: after each MiB it rests as long as the MiB took. On a
 * two-core machine a thread hashing flat out takes the core the hub's own event loop and
 * its clients share, which showed as the assignments' p99 during a backup (issue 13 asks
 * for at most twice the idle p99); a backup taking a little longer costs nobody anything.
 */
export function fileSha256(path: string, busyShare = 0.5): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
    stream
      .on('data', (chunk) => {
        const started = performance.now();
        hash.update(chunk);
        const restMs = ((performance.now() - started) * (1 - busyShare)) / busyShare;
        if (restMs < 0.5) return;
        stream.pause();
        setTimeout(() => stream.resume(), restMs);
      })
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
