import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listBackups, pruneBackups, takeBackup, verifyBackupFile } from '../../../storage/backup.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

describe('backups', function () {
  // Each backup checks its copy on a worker thread, which from source starts tsx first (1 to 5 s on a loaded machine).
  this.timeout(90_000);
  let dir: TempDir;
  let store: LmdbStore;
  let queue: LmdbTaskQueue;
  let clock: number;
  const backupDir = () => join(dir.path, 'backups');
  const options = () => ({ backupDir: backupDir(), hubVersion: '9.9.9', compact: true, now: () => clock++ });

  beforeEach(() => {
    dir = makeTempDir('backup');
    store = openLmdbStore({ path: join(dir.path, 'data') });
    queue = LmdbTaskQueue.onStore(store);
    clock = 1_700_000_000_000;
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  it('holds every task acknowledged before it began while submits go on, and checks out', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 300; i++) {
      const submitted = await queue.submit(newTask({ description: `before ${i}` }), 1);
      if (submitted.ok) acknowledged.push(submitted.value.task.id);
    }
    let submitting = true;
    const during = (async () => {
      let n = 0;
      while (submitting) await queue.submit(newTask({ description: `during ${n++}` }), 2);
      return n;
    })();
    const taken = await takeBackup(store, options());
    submitting = false;
    expect(await during).to.be.greaterThan(0);
    if (!taken.ok) throw new Error(taken.detail);

    const copy = openLmdbStore({ path: taken.value.path, readOnly: true });
    try {
      for (const id of acknowledged) expect(copy.tasks.get(id), id).to.not.equal(undefined);
      const counted = taken.value.manifest.task_counts.queued;
      expect(counted).to.be.at.least(300);
      expect(copy.tasks.getCount()).to.be.at.least(counted);
    } finally {
      await copy.close();
    }
    expect(taken.value.manifest).to.include({ hub_version: '9.9.9', compact: true, format: 1 });
    expect(taken.value.manifest.sha256).to.match(/^[0-9a-f]{64}$/);
    expect((await verifyBackupFile(taken.value)).ok).to.equal(true);
  });

  it('lists only complete backups, never a partial folder or one whose file does not match its manifest', async () => {
    const good = await takeBackup(store, options());
    if (!good.ok) throw new Error(good.detail);
    mkdirSync(join(backupDir(), '.partial-backup-x'));
    writeFileSync(join(backupDir(), '.partial-backup-x', 'data.mdb'), 'half');
    mkdirSync(join(backupDir(), 'backup-no-manifest'));
    writeFileSync(join(backupDir(), 'backup-no-manifest', 'data.mdb'), 'x');
    expect(listBackups(backupDir()).map((info) => info.name)).to.deep.equal([good.value.name]);
  });

  it('notices a backup whose bytes changed after it was taken', async () => {
    const taken = await takeBackup(store, options());
    if (!taken.ok) throw new Error(taken.detail);
    const file = join(taken.value.path, 'data.mdb');
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('garbage!'), 0, 8, 3 * 4096 + 100);
    closeSync(fd);
    const verified = await verifyBackupFile(taken.value);
    expect(verified.ok ? 'ok' : verified.code).to.equal('AC_ERR_BACKUP_INVALID');
  });

  it('keeps the newest backups when pruning', async () => {
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const taken = await takeBackup(store, options());
      if (!taken.ok) throw new Error(taken.detail);
      names.push(taken.value.name);
    }
    expect(pruneBackups(backupDir(), 3)).to.deep.equal([names[0]]);
    expect(listBackups(backupDir()).map((info) => info.name)).to.deep.equal(names.slice(1).reverse());
  });
});
