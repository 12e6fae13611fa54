// Damaged data files met at start, with a real `agentcom start` process each time.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { takeBackup } from '../../storage/backup.ts';
import { openLmdbStore } from '../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { newTask } from '../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const cli = fileURLToPath(new URL('../../runtime/bin/agentcom.mjs', import.meta.url));

interface Started {
  /** The hub's URL when it started; null when it exited. */
  url: string | null;
  exitCode: number | null;
  stderr: string;
  stop(): Promise<void>;
}

/** Runs `agentcom start` until it prints its URL or exits. */
function start(dataDir: string, backupDir: string, extra: string[] = []): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--data-dir', dataDir, '--log-level', 'error', ...extra], {
      env: { ...process.env, AGENTCOM_BACKUP_DIR: backupDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let settled = false;
    const stop = () => new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const url = /API\s+(http:\/\/\S+)\/api/.exec(stderr)?.[1];
      if (url && !settled) {
        settled = true;
        resolve({ url, exitCode: null, stderr, stop });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!settled) {
        settled = true;
        resolve({ url: null, exitCode: code, stderr, stop });
      }
    });
  });
}

describe('corrupt data file at start', function () {
  // Each case starts real `agentcom start` processes (three in one case): seconds each on a loaded machine.
  this.timeout(120_000);
  let dir: TempDir;
  const dataDir = () => join(dir.path, 'data');
  const backupDir = () => join(dir.path, 'backups');
  const dataFile = () => join(dataDir(), 'data.mdb');

  async function seed(withBackup: boolean): Promise<number> {
    const store = openLmdbStore({ path: dataDir() });
    const queue = LmdbTaskQueue.onStore(store);
    await Promise.all(Array.from({ length: 1500 }, (_, i) => queue.submit(newTask({ description: `task ${i} ${'z'.repeat(400)}` }), 1)));
    if (withBackup) {
      const taken = await takeBackup(store, { backupDir: backupDir(), hubVersion: 'test', compact: true });
      if (!taken.ok) throw new Error(taken.detail);
    }
    await queue.close();
    return 1500;
  }

  beforeEach(() => {
    dir = makeTempDir('corrupt');
  });

  afterEach(() => dir.remove());

  it('restores the newest backup when bytes in the middle of data.mdb were overwritten, and says so on /health', async () => {
    await seed(true);
    const size = statSync(dataFile()).size;
    const fd = openSync(dataFile(), 'r+');
    writeSync(fd, Buffer.alloc(64 * 1024, 'garbage!'), 0, 64 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);

    const hub = await start(dataDir(), backupDir());
    try {
      expect(hub.url, hub.stderr).to.not.equal(null);
      const health = await (await fetch(`${hub.url}/health`)).json() as { status: string; reasons: Array<{ reason: string; detail?: string }> };
      expect(health.status).to.equal('degraded');
      expect(health.reasons.map((r) => `${r.reason}: ${r.detail ?? ''}`).join(' ')).to.match(/restored_from_backup: backup-.*1500 tasks/);
      expect(readdirSync(join(backupDir(), 'quarantine'))).to.have.length(1);
    } finally {
      await hub.stop();
    }
  });

  it('restores the newest backup when data.mdb was truncated (no SIGBUS)', async () => {
    await seed(true);
    truncateSync(dataFile(), Math.floor(statSync(dataFile()).size / 2));
    const hub = await start(dataDir(), backupDir());
    try {
      expect(hub.url, hub.stderr).to.not.equal(null);
    } finally {
      await hub.stop();
    }
  });

  it('refuses to start, naming the quarantined file, when there is no good backup; again on the next start; starts empty with --recover-empty', async () => {
    await seed(false);
    truncateSync(dataFile(), Math.floor(statSync(dataFile()).size / 2));
    const first = await start(dataDir(), backupDir());
    expect(first.url).to.equal(null);
    expect(first.exitCode).to.not.equal(0);
    const line = first.stderr.trim().split('\n').filter((text) => text.startsWith('agentcom:'));
    expect(line, first.stderr).to.have.length(1);
    expect(line[0]).to.include('AC_ERR_STORAGE_CORRUPT').and.include(join(backupDir(), 'quarantine')).and.include('--recover-empty');
    expect(existsSync(dataFile()), 'the bad file left the data dir').to.equal(false);

    // A supervisor restarting it must not get an empty queue: the refusal stands.
    const second = await start(dataDir(), backupDir());
    expect(second.url).to.equal(null);
    expect(second.stderr).to.include('AC_ERR_STORAGE_CORRUPT');

    const empty = await start(dataDir(), backupDir(), ['--recover-empty']);
    try {
      expect(empty.url, empty.stderr).to.not.equal(null);
      const health = await (await fetch(`${empty.url}/health`)).json() as { reasons: Array<{ reason: string }> };
      expect(health.reasons.map((r) => r.reason)).to.include('started_empty_after_corruption');
    } finally {
      await empty.stop();
    }
  });

  it('starts on its data when the lock file was left stale or damaged', async () => {
    await seed(false);
    writeFileSync(join(dataDir(), 'lock.mdb'), Buffer.alloc(8192, 'stale lock'));
    const hub = await start(dataDir(), backupDir());
    try {
      expect(hub.url, hub.stderr).to.not.equal(null);
      const health = await (await fetch(`${hub.url}/health`)).json() as { status: string };
      expect(health.status).to.equal('ok');
    } finally {
      await hub.stop();
    }
  });
});
