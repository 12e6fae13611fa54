import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readdirSync } from 'node:fs';
import { listBackups, verifyBackupFile } from '../../storage/backup.ts';
import { sweepStaleStaging } from '../../storage/backup-staging.ts';
import { openCheckedStore } from '../../storage/checked-open.ts';
import { openLmdbStore } from '../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { newTask } from '../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const childPath = fileURLToPath(new URL('../support/storage-ops-child.ts', import.meta.url));

/** Runs the child until its operation is under way plus `delayMs`, then kills it with SIGKILL; returns the acknowledged task ids. */
function runAndKill(mode: 'backup' | 'compact', dataDir: string, backupDir: string, delayMs: number, stagingDir?: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const args = [childPath, mode, dataDir, backupDir, ...(stagingDir ? [stagingDir] : [])];
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'busy') setTimeout(() => child.kill('SIGKILL'), delayMs);
        else if (line.startsWith('{')) acknowledged.push((JSON.parse(line) as { task_id: string }).task_id);
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(acknowledged) : reject(new Error(`child exited without being killed (${signal})`))));
  });
}

describe('kill -9 during storage operations', function () {
  // A child process per case, started through tsx.
  this.timeout(60_000);
  let dir: TempDir;
  const dataDir = () => join(dir.path, 'data');
  const backupDir = () => join(dir.path, 'backups');
  const seeded: string[] = [];

  beforeEach(async () => {
    dir = makeTempDir('ops-kill');
    const store = openLmdbStore({ path: dataDir() });
    const queue = LmdbTaskQueue.onStore(store);
    const submitted = await Promise.all(Array.from({ length: 2000 }, (_, i) => queue.submit(newTask({ description: `seed ${i} ${'y'.repeat(300)}` }), 1)));
    seeded.length = 0;
    for (const outcome of submitted) if (outcome.ok) seeded.push(outcome.value.task.id);
    await queue.close();
  });

  afterEach(() => dir.remove());

  for (const [mode, delayMs, staged] of [['backup', 20, false], ['backup', 20, true], ['compact', 60, false]] as const) {
    it(`leaves the live store intact and no half backup listed (${mode}${staged ? ', staged in memory' : ''})`, async () => {
      {
        const stagingDir = join(dir.path, 'staging');
        if (staged) mkdirSync(stagingDir);
        const acknowledged = await runAndKill(mode, dataDir(), backupDir(), delayMs, staged ? stagingDir : undefined);
        if (staged) {
          // The killed backup's copy is still in staging; the next start (or backup) sweeps it.
          expect(readdirSync(stagingDir)).to.have.length(1);
          expect(sweepStaleStaging(stagingDir)).to.have.length(1);
          expect(readdirSync(stagingDir)).to.deep.equal([]);
        }
        const opened = await openCheckedStore({ dataDir: dataDir(), backupDir: backupDir(), recoverEmpty: false, maxCheckedRecords: Infinity });
        if (!opened.ok) throw new Error(opened.detail);
        expect(opened.value.recovery, 'no recovery was needed').to.equal(null);
        const { store } = opened.value;
        try {
          for (const id of [...seeded, ...acknowledged]) expect(store.tasks.get(id)?.id, id).to.equal(id);
        } finally {
          await store.close();
        }
        for (const backup of listBackups(backupDir())) {
          const verified = await verifyBackupFile(backup);
          expect(verified.ok, `${backup.name} is listed, so it must verify`).to.equal(true);
        }
      }
    });
  }
});
