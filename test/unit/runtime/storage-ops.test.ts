import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { createLogger } from '../../../runtime/logger.ts';
import { StorageOps } from '../../../runtime/storage-ops.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

describe('StorageOps', function () {
  // Each backup checks its copy on a worker thread, which from source starts tsx first (1 to 5 s on a loaded machine).
  this.timeout(90_000);
  let dir: TempDir;
  let store: LmdbStore;
  let ops: StorageOps;

  beforeEach(() => {
    dir = makeTempDir('storage-ops');
    store = openLmdbStore({ path: join(dir.path, 'data') });
    ops = new StorageOps({
      dataDir: join(dir.path, 'data'), backupDir: join(dir.path, 'backups'), backupKeep: 2, backupCompact: true,
      compactionThreshold: 0.99, hubVersion: 't', logger: createLogger('error', new Writable({ write: (_c, _e, done) => done() })),
    });
    ops.storageOpened(store, null);
  });

  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('skips a scheduled compaction below the threshold and keeps it out of the history; a manual one runs', async () => {
    const scheduled = await ops.compact('schedule');
    expect(scheduled.ok && scheduled.value.status).to.equal('skipped');
    expect(ops.compactionHistory()).to.have.length(0);
    const manual = await ops.compact('manual');
    expect(manual.ok && manual.value.status).to.equal('complete');
    expect(ops.compactionHistory()).to.have.length(1);
  });

  it('keeps the compaction history in the store: a new process sees the last runs', async () => {
    for (let i = 0; i < 2; i++) {
      const run = await ops.compact('manual');
      if (!run.ok) throw new Error(run.detail);
    }
    const before = ops.compactionHistory();
    expect(before).to.have.length(2);
    await store.close();
    store = openLmdbStore({ path: join(dir.path, 'data') });
    const restarted = new StorageOps({
      dataDir: join(dir.path, 'data'), backupDir: join(dir.path, 'backups'), backupKeep: 2, backupCompact: true,
      compactionThreshold: 0.99, hubVersion: 't', logger: createLogger('error', new Writable({ write: (_c, _e, done) => done() })),
    });
    expect(restarted.compactionHistory()).to.have.length(0);
    restarted.storageOpened(store, null);
    expect(restarted.compactionHistory()).to.deep.equal(before);
    expect((restarted.health().last_compaction as { started_at: number }).started_at).to.equal(before[0]!.started_at);
  });

  it('sweeps the staging copy of a backup a kill -9 interrupted when it starts, and stages its own backups there', async () => {
    const staging = join(dir.path, 'staging');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const leftOver = join(staging, `agentcom-backup-staging-${gone}-0badc0de`);
    mkdirSync(leftOver, { recursive: true });
    writeFileSync(join(leftOver, 'data.mdb'), 'half a copy');
    const lines: string[] = [];
    const started = new StorageOps({
      dataDir: join(dir.path, 'data'), backupDir: join(dir.path, 'backups'), backupKeep: 2, backupCompact: true,
      backupStagingDir: staging, backupWriteMbPerSecond: 0,
      compactionThreshold: 0.99, hubVersion: 't', logger: createLogger('info', new Writable({ write: (c, _e, done) => done(void lines.push(String(c))) })),
    });
    expect(existsSync(leftOver)).to.equal(false);
    started.storageOpened(store, null);
    const taken = await started.backup('manual');
    if (!taken.ok) throw new Error(taken.detail);
    expect(taken.value, 'the reply keeps its shape').to.have.all.keys('name', 'path', 'manifest');
    const complete = lines.map((line) => JSON.parse(line) as { message?: string; copy?: { staged: boolean } }).find((entry) => entry.message === 'backup complete');
    expect(complete?.copy?.staged).to.equal(true);
    expect(readdirSync(staging)).to.deep.equal([]);
  });

  it('runs one operation at a time', async () => {
    const first = ops.backup('manual');
    const second = await ops.compact('manual');
    expect(second.ok ? 'ok' : second.code).to.equal('AC_ERR_STORAGE_BUSY');
    expect((await first).ok).to.equal(true);
  });

  it('keeps backup_keep backups', async () => {
    for (let i = 0; i < 3; i++) {
      const taken = await ops.backup('manual');
      if (!taken.ok) throw new Error(taken.detail);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(ops.backups().backups).to.have.length(2);
  });
});
