import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compactStore } from '../../../storage/compaction.ts';
import { ScheduleStore, type ScheduleRecord } from '../../../storage/schedule-store.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { storageStats } from '../../../storage/storage-stats.ts';
import { checkStoreIntegrity } from '../../../storage/store-integrity.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

describe('compaction', () => {
  let dir: TempDir;
  let store: LmdbStore;
  let queue: LmdbTaskQueue;

  beforeEach(() => {
    dir = makeTempDir('compaction');
    store = openLmdbStore({ path: dir.path });
    queue = LmdbTaskQueue.onStore(store);
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  it('shrinks the file after mass deletes and keeps every record, while submits go on', async () => {
    const big = 'x'.repeat(4000);
    const doomed = await Promise.all(Array.from({ length: 600 }, () => queue.submit(newTask({ description: big }), 1)));
    await Promise.all(doomed.map((submitted) => submitted.ok && queue.cancel(submitted.value.task.id, 2)));
    await store.root.transaction(() => {
      for (const { key } of store.tasks.getRange()) store.tasks.remove(key);
      for (const { key } of store.byStatus.getRange()) store.byStatus.remove(key);
    });
    const kept = (await Promise.all(Array.from({ length: 50 }, (_, i) => queue.submit(newTask({ description: `kept ${i}` }), 3))))
      .flatMap((submitted) => (submitted.ok ? [submitted.value.task.id] : []));
    const before = storageStats(store);
    expect(before.fragmentation).to.be.greaterThan(0.5);

    let submitting = true;
    const during: string[] = [];
    const writer = (async () => {
      while (submitting) {
        const submitted = await queue.submit(newTask({ description: `during ${during.length}` }), 4);
        if (submitted.ok) during.push(submitted.value.task.id);
      }
    })();
    const compacted = await compactStore(store, { catchUpKeys: 10 });
    submitting = false;
    await writer;
    if (!compacted.ok) throw new Error(compacted.detail);

    expect(compacted.value.size_after_bytes).to.be.lessThan(compacted.value.size_before_bytes / 2);
    expect(compacted.value.write_pause_ms).to.be.a('number');
    expect(during.length, 'writes went on during the copy').to.be.greaterThan(0);
    for (const id of [...kept, ...during]) expect(store.tasks.get(id)?.id, id).to.equal(id);
    const report = await checkStoreIntegrity(store);
    expect(report.ok, report.ok ? '' : report.reason).to.equal(true);
    expect(existsSync(join(dir.path, 'compacting'))).to.equal(false);

    // The swapped-in environment takes writes, and a second compaction swaps again.
    const after = (await Promise.all(Array.from({ length: 20 }, (_, i) => queue.submit(newTask({ description: `after ${i}` }), 5))))
      .flatMap((submitted) => (submitted.ok ? [submitted.value.task.id] : []));
    expect(after).to.have.length(20);
    const again = await compactStore(store);
    if (!again.ok) throw new Error(again.detail);
    expect(existsSync(join(dir.path, 'compacting'))).to.equal(false);
    expect(existsSync(join(dir.path, 'lock.mdb'))).to.equal(true);
    const last = await queue.submit(newTask({ description: 'last' }), 6);
    if (!last.ok) throw new Error(last.detail);

    // And the swapped-in file is the one on disk: a reopen sees the same tasks.
    await queue.close();
    store = openLmdbStore({ path: dir.path });
    queue = LmdbTaskQueue.onStore(store);
    for (const id of [...kept, ...during, ...after, last.value.task.id]) expect(store.tasks.get(id)?.id, id).to.equal(id);
    const reopened = await checkStoreIntegrity(store);
    expect(reopened.ok, reopened.ok ? '' : reopened.reason).to.equal(true);
  });

  it('swaps the databases other stores opened too (schedules), and replays their writes made during the copy', async () => {
    const schedules = new ScheduleStore(store);
    const schedule = (id: string): ScheduleRecord => ({
      id, name: null, cron: '* * * * *', timezone: 'UTC', catch_up: 'none', task: { description: id },
      paused: false, created_at: 1, last_fired_at: 0, last_task_id: null,
    });
    await schedules.put(schedule('before'));
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) await schedules.put(schedule(`during-${n++}`));
    })();
    const compacted = await compactStore(store);
    writing = false;
    await writer;
    if (!compacted.ok) throw new Error(compacted.detail);
    await schedules.put(schedule('after'));
    const ids = ['before', ...Array.from({ length: n }, (_, i) => `during-${i}`), 'after'];
    expect(schedules.list().map((record) => record.id)).to.have.members(ids);

    await queue.close();
    store = openLmdbStore({ path: dir.path });
    queue = LmdbTaskQueue.onStore(store);
    expect(new ScheduleStore(store).list().map((record) => record.id)).to.have.members(ids);
  });
});
