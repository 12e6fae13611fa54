// Worker-thread entry (storage/backup-check.ts starts it): checks a fresh copy and hashes it,
// writes a staged copy to the backup dir and checks it, or only hashes a backup's file, off
// the hub's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { fileSha256, verifyCopy, writeStagedCopy, type CopyCheckJob, type CopyCheckOutput } from './backup-check.ts';
import { yieldToTheHub } from './worker-thread.ts';

async function run(job: CopyCheckJob): Promise<CopyCheckOutput> {
  if (job.kind === 'hash') return { ok: true, value: { sha256: await fileSha256(job.file) } };
  if (job.kind === 'write-staged') return writeStagedCopy(job);
  const checked = await verifyCopy(job.dir);
  if (!checked.ok) return checked;
  return { ok: true, value: { census: checked.value, sha256: await fileSha256(job.file) } };
}

yieldToTheHub();
run((workerData as { input: CopyCheckJob }).input).then(
  (output) => parentPort!.postMessage(output),
  // The shape CopyCheckOutput names: the reason is what the caller reports (and classifies: ENOSPC is disk full).
  (error: unknown) => parentPort!.postMessage({ ok: false, reason: (error as Error).message ?? String(error) } satisfies CopyCheckOutput),
);
