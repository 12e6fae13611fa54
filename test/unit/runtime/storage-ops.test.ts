import { expect } from 'chai';
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
