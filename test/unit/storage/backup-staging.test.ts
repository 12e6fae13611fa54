import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { takeBackup, type TakenBackup } from '../../../storage/backup.ts';
import { openStaging, closeStaging, stagingRoomNeeded, sweepStaleStaging } from '../../../storage/backup-staging.ts';
import { budgetDelayMs, budgetedCopy, copyPlan, writeBudget, type WriteBudget } from '../../../storage/budgeted-copy.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('backups staged in memory and written under a budget', function () {
  // Each backup checks its copy on a worker thread, which from source starts tsx first (1 to 5 s on a loaded machine).
  this.timeout(90_000);
  let dir: TempDir;
  let store: LmdbStore;
  let queue: LmdbTaskQueue;
  let clock: number;
  const stagingRoot = () => join(dir.path, 'staging');
  const options = (backupDir: string) => ({ backupDir: join(dir.path, backupDir), hubVersion: '9.9.9', compact: true, now: () => clock++ });
  const taken = async (run: Promise<Awaited<ReturnType<typeof takeBackup>>>): Promise<TakenBackup> => {
    const outcome = await run;
    if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.detail}`);
    return outcome.value;
  };

  beforeEach(async () => {
    dir = makeTempDir('backup-staging');
    mkdirSync(stagingRoot());
    store = openLmdbStore({ path: join(dir.path, 'data') });
    queue = LmdbTaskQueue.onStore(store);
    clock = 1_700_000_000_000;
    // About 2.5 MiB: several chunks and syncs with the small budget below.
    await Promise.all(Array.from({ length: 2000 }, (_, i) => queue.submit(newTask({ description: `task ${i} ${'x'.repeat(900)}` }), 1)));
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  for (const where of ['a temp folder', '/dev/shm'] as const) {
    it(`holds the same bytes as a direct backup when staged in ${where}`, async function () {
      if (where === '/dev/shm' && !existsSync('/dev/shm')) this.skip();
      const root = where === '/dev/shm' ? '/dev/shm' : stagingRoot();
      const budget: WriteBudget = { chunkBytes: 256 * KiB, syncEveryBytes: 512 * KiB, bytesPerSecond: 0 };
      const direct = await taken(takeBackup(store, options('direct')));
      const staged = await taken(takeBackup(store, { ...options('staged'), staging: { dir: root }, writeBudget: budget }));

      expect(direct.copy.staged).to.equal(false);
      expect(staged.copy.staged, staged.copy.direct_reason).to.equal(true);
      // Two compacting copies of one unchanged snapshot are byte for byte the same file.
      const bytes = (backup: TakenBackup) => readFileSync(join(backup.path, 'data.mdb'));
      expect(bytes(staged).equals(bytes(direct))).to.equal(true);
      expect(staged.manifest.sha256).to.equal(direct.manifest.sha256);
      expect(staged.manifest.sha256).to.equal(createHash('sha256').update(bytes(staged)).digest('hex'));
      expect({ ...staged.manifest, name: '', created_at: 0, duration_ms: 0 }).to.deep.equal({ ...direct.manifest, name: '', created_at: 0, duration_ms: 0 });
      expect(staged.manifest.task_counts.queued).to.equal(2000);
      // The hash was taken on the way to disk, in the chunks and syncs the budget plans.
      expect({ chunks: staged.copy.chunks, syncs: staged.copy.syncs }).to.deep.equal(copyPlan(staged.manifest.size_bytes, budget));
      expect(staged.copy.syncs).to.be.greaterThan(1);
      // Nothing left in staging.
      expect(readdirSync(root).filter((name) => name.startsWith(`agentcom-backup-staging-${process.pid}-`))).to.deep.equal([]);
    });
  }

  it('copies straight to the backup dir when staging has no room for the copy', async () => {
    const backup = await taken(takeBackup(store, { ...options('backups'), staging: { dir: stagingRoot(), freeBytes: stagingRoomNeeded(0) - 1 } }));
    expect(backup.copy.staged).to.equal(false);
    expect(backup.copy.direct_reason).to.match(/MiB free, the copy needs/);
    expect(backup.manifest.task_counts.queued).to.equal(2000);
    expect(readdirSync(stagingRoot())).to.deep.equal([]);
  });

  it('copies straight to the backup dir when the staging folder does not exist or staging is off', async () => {
    const missing = await taken(takeBackup(store, { ...options('a'), staging: { dir: join(dir.path, 'no-such-folder') } }));
    expect(missing.copy).to.include({ staged: false });
    expect(missing.copy.direct_reason).to.match(/does not exist/);
    const off = await taken(takeBackup(store, { ...options('b'), staging: { dir: 'off' } }));
    expect(off.copy.direct_reason).to.equal('staging is off');
  });

  it('sweeps staging folders a killed process left, not those of a process still running or of a backup in progress', () => {
    // A pid that certainly ended: a child that already exited.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const leftOver = join(stagingRoot(), `agentcom-backup-staging-${gone}-0badc0de`);
    const ownLeftOver = join(stagingRoot(), `agentcom-backup-staging-${process.pid}-00000000`);
    const someoneElses = join(stagingRoot(), `agentcom-backup-staging-${process.ppid}-12345678`);
    const unrelated = join(stagingRoot(), 'something-else');
    for (const folder of [leftOver, ownLeftOver, someoneElses, unrelated]) {
      mkdirSync(folder);
      writeFileSync(join(folder, 'data.mdb'), 'half a copy');
    }
    const inProgress = openStaging({ dir: stagingRoot(), freeBytes: Number.MAX_SAFE_INTEGER }, MiB);
    if (!inProgress.staged) throw new Error(inProgress.reason);

    expect(sweepStaleStaging(stagingRoot()).sort()).to.deep.equal([leftOver, ownLeftOver].sort());
    expect(readdirSync(stagingRoot()).sort()).to.deep.equal(
      [someoneElses, unrelated, inProgress.dir].map((path) => path.slice(stagingRoot().length + 1)).sort(),
    );
    closeStaging(inProgress.dir);
    expect(existsSync(inProgress.dir)).to.equal(false);
  });
});

describe('the write budget', () => {
  it('waits until the bytes written are back on the budget line, never before', () => {
    expect(budgetDelayMs(50 * MiB, 0, 50 * MiB)).to.equal(1000);
    expect(budgetDelayMs(50 * MiB, 400, 50 * MiB)).to.equal(600);
    expect(budgetDelayMs(4 * MiB, 100, 50 * MiB)).to.equal(0);
    expect(budgetDelayMs(1e12, 0, 0), 'no budget').to.equal(0);
  });

  it('plans one chunk per chunk size and a sync every few MiB plus one for the tail', () => {
    const budget = writeBudget(50);
    expect(budget).to.deep.equal({ chunkBytes: MiB, syncEveryBytes: 4 * MiB, bytesPerSecond: 50 * MiB });
    expect(copyPlan(8 * MiB, budget)).to.deep.equal({ chunks: 8, syncs: 2 });
    expect(copyPlan(8 * MiB + 1, budget)).to.deep.equal({ chunks: 9, syncs: 3 });
    expect(copyPlan(100, budget)).to.deep.equal({ chunks: 1, syncs: 1 });
    expect(copyPlan(0, budget)).to.deep.equal({ chunks: 0, syncs: 1 });
  });

  it('copies a file in those chunks and syncs, hashing it, and asks to wait exactly the budget\'s time', async () => {
    const dir = makeTempDir('budgeted-copy');
    try {
      const source = join(dir.path, 'source');
      const content = Buffer.alloc(5 * MiB + 123);
      for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i);
      writeFileSync(source, content);
      const budget: WriteBudget = { chunkBytes: 512 * KiB, syncEveryBytes: 2 * MiB, bytesPerSecond: 10 * MiB };
      // A clock that only the waits move: the budget's arithmetic, without wall-clock time.
      let fakeNow = 0;
      const waits: number[] = [];
      const outcome = await budgetedCopy(source, join(dir.path, 'target'), budget, {
        now: () => fakeNow,
        sleep: async (ms) => {
          waits.push(ms);
          fakeNow += ms;
        },
      });
      expect(readFileSync(join(dir.path, 'target')).equals(content)).to.equal(true);
      expect(outcome.sha256).to.equal(createHash('sha256').update(content).digest('hex'));
      expect({ chunks: outcome.chunks, syncs: outcome.syncs }).to.deep.equal(copyPlan(content.length, budget));
      expect(outcome).to.include({ bytes: content.length, chunks: 11, syncs: 3 });
      // Before each chunk but the first, the time the chunk before it is worth at 10 MiB/s: 50 ms.
      expect(waits).to.have.length(10);
      for (const ms of waits) expect(ms).to.be.closeTo(50, 1e-9);
    } finally {
      dir.remove();
    }
  });

  it('refuses to overwrite an existing file', async () => {
    const dir = makeTempDir('budgeted-copy');
    try {
      writeFileSync(join(dir.path, 'source'), 'x');
      writeFileSync(join(dir.path, 'target'), 'y');
      const copied = budgetedCopy(join(dir.path, 'source'), join(dir.path, 'target'), writeBudget(0));
      await copied.then(() => expect.fail('copied over an existing file'), (error: NodeJS.ErrnoException) => expect(error.code).to.equal('EEXIST'));
    } finally {
      dir.remove();
    }
  });
});
