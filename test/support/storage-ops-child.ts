// A child for the kill -9 tests: opens the store in <dataDir> and takes backups or
// compacts, over and over, while writing tasks, until it is killed.
//
// Usage: node --import tsx test/support/storage-ops-child.ts <backup|compact> <dataDir> <backupDir> [<stagingDir>]
// With a staging dir, backups are staged there and written to the backup dir at 1 MB/s, so a
// kill soon after "busy" finds the staging copy in place.
// Prints "busy" once the first operation has started, then one JSON line per
// acknowledged submit ({"task_id":…}), so the parent knows what must survive.
import { takeBackup } from '../../storage/backup.ts';
import { writeBudget } from '../../storage/budgeted-copy.ts';
import { compactStore } from '../../storage/compaction.ts';
import { openLmdbStore } from '../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { newTask } from './task-factory.ts';

const [mode, dataDir, backupDir, stagingDir] = process.argv.slice(2);
if (!dataDir || !backupDir || (mode !== 'backup' && mode !== 'compact')) {
  process.stderr.write('usage: storage-ops-child.ts <backup|compact> <dataDir> <backupDir>\n');
  process.exit(2);
}
const store = openLmdbStore({ path: dataDir });
const queue = LmdbTaskQueue.onStore(store);

void (async () => {
  for (;;) {
    const submitted = await queue.submit(newTask({ description: 'written during the operation' }), Date.now());
    if (submitted.ok) process.stdout.write(`${JSON.stringify({ task_id: submitted.value.task.id })}\n`);
  }
})();

let announced = false;
for (;;) {
  const running = mode === 'backup'
    ? takeBackup(store, { backupDir, hubVersion: 'test', compact: true, staging: stagingDir ? { dir: stagingDir } : null, writeBudget: writeBudget(1) })
    : compactStore(store, { catchUpKeys: 50 });
  if (!announced) {
    announced = true;
    process.stdout.write('busy\n');
  }
  const outcome = await running;
  if (!outcome.ok) process.stderr.write(`${outcome.code}: ${outcome.detail}\n`);
}
