// Compaction: a compacting copy of the environment replaces the live file, so the
// file shrinks after mass deletes, while the hub keeps serving.
//
//   1. Journal the keys written from now on, wait for the writes already issued, and
//      take a compacting copy from one read snapshot (mdb_env_copy2, worker thread).
//   2. Open the copy beside the live environment (same options) and catch up without
//      pausing: replay onto it, from the live store, the keys written since; repeat while
//      that list is long. Sync the copy (off the event loop) so the pause has little to sync.
//   3. Pause writes (reads go on): wait for the writes in flight, replay the last few keys,
//      sync them, rename the copy's data.mdb and lock.mdb over the live ones, and serve
//      everything from the copy's environment, which is already open (the renames keep its
//      file handles valid). Resume writes while the folder is synced: no write is
//      acknowledged before that sync ends, since the store's flush waits for it. Close the
//      old environment after. Only step 3 holds writes, and its work is bounded by the last short list of
//      keys, not by the store's size: no environment is opened or closed inside it.
//
// A kill -9 before the data rename leaves data.mdb untouched and a `compacting` folder
// that the next open removes; the rename itself is atomic, and the copy was synced first.
// Between the two renames, the lock file left is stale, which LMDB resets at the next open.
import type { Database, Key, RootDatabase } from 'lmdb';
import { mkdirSync, rmSync } from 'node:fs';
import { open as openFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fail, ok, type Result } from './domain/errors.ts';
import { compactionDirOf } from './checked-open.ts';
import type { JournalEntry } from './live-environment.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { fileBytes, storageStats } from './storage-stats.ts';
import { classifyWriteError } from './write-failure.ts';

export interface CompactionOutcome {
  size_before_bytes: number;
  size_after_bytes: number;
  fragmentation_before: number;
  /** How long writes were held for the swap. */
  write_pause_ms: number;
  /** Keys replayed onto the copy, in total and inside the pause. */
  keys_replayed: number;
  keys_replayed_in_pause: number;
  duration_ms: number;
}

export interface CompactionOptions {
  /** Catch-up rounds stop once a round has fewer keys than this. */
  catchUpKeys?: number;
  maxCatchUpRounds?: number;
}

interface Copy {
  root: RootDatabase;
  /** Raw-bytes handles on the copy's named databases, for replaying values as stored. */
  dbs: Map<string, Database>;
}

const structuresKey = Symbol.for('structures');

export async function compactStore(store: LmdbStore, options: CompactionOptions = {}): Promise<Result<CompactionOutcome>> {
  const live = store.live;
  const dir = compactionDirOf(store.path);
  const started = performance.now();
  const before = storageStats(store);
  let copy: Copy | null = null;
  let paused = false;
  let swapped = false;
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    live.startJournal();
    // A write issued before the journal started may commit after the snapshot: wait for those.
    await live.settled();
    await live.root.backup(dir, true);

    const root = live.openBeside(dir);
    copy = { root, dbs: new Map(live.databaseNames().map((name) => [name, root.openDB({ name, encoding: 'binary' })])) };
    let replayed = 0;
    for (let round = 0; round < (options.maxCatchUpRounds ?? 5); round++) {
      const entries = live.takeJournal();
      await live.settled();
      replayed += replay(store, copy, entries);
      if (entries.length < (options.catchUpKeys ?? 1000)) break;
    }
    // The copy was written around the page cache (O_DIRECT) and never synced: sync it now, outside the pause.
    await syncFile(join(dir, 'data.mdb'));

    const pauseStarted = performance.now();
    live.holdWrites();
    paused = true;
    await live.settled();
    const last = replay(store, copy, live.takeJournal());
    replayed += last;
    live.stopJournal();
    // Durable before it becomes data.mdb: a write replayed here may have been acknowledged on the old
    // file's sync, and lmdb-js gives no flush promise for a synchronous transaction.
    if (last > 0) await syncFile(join(dir, 'data.mdb'));
    await rename(join(dir, 'data.mdb'), join(store.path, 'data.mdb'));
    swapped = true;
    const old = live.adopt(copy.root);
    await rename(join(dir, 'lock.mdb'), join(store.path, 'lock.mdb'));
    // The renames must be durable before a write acknowledged on the new file is: writes resume
    // now, and their flush (store.flushed, live-environment.ts) waits for this sync too.
    const folderSynced = syncFile(store.path);
    live.swapSyncing(folderSynced);
    live.resumeWrites();
    paused = false;
    const writePauseMs = performance.now() - pauseStarted;
    await folderSynced;
    // The raw handles stay open with the environment; only the old environment goes.
    copy = null;
    await old.close();
    rmSync(dir, { recursive: true, force: true });
    return ok({
      size_before_bytes: before.file_size_bytes,
      size_after_bytes: fileBytes(store.path),
      fragmentation_before: before.fragmentation,
      write_pause_ms: Math.round(writePauseMs * 100) / 100,
      keys_replayed: replayed,
      keys_replayed_in_pause: last,
      duration_ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    live.stopJournal();
    // Before the data rename nothing live changed: drop the copy and serve the old file on.
    // After it the copy is data.mdb and is already served; only the folder's lock file may be left.
    if (copy && !swapped) await copy.root.close().catch(() => undefined);
    if (paused) live.resumeWrites();
    if (!swapped) rmSync(dir, { recursive: true, force: true });
    // No room for the copy is the disk-full answer (507), like every other write the disk refused.
    if (classifyWriteError(error).kind === 'full') return fail('AC_ERR_STORAGE_FULL', `compaction: ${(error as Error).message}`);
    return fail('AC_ERR_COMPACTION_FAILED', (error as Error).message);
  }
}

/** Copies the current value (or absence) of each journalled key from the live store onto the copy. */
function replay(store: LmdbStore, copy: Copy, entries: JournalEntry[]): number {
  if (entries.length === 0) return 0;
  store.live.root.resetReadTxn();
  const touched = new Set<string>();
  copy.root.transactionSync(() => {
    for (const { db, key } of entries) {
      if (db === null) continue;
      touched.add(db);
      copyKey(store, copy, db, key);
    }
    // lmdb-js writes its msgpack structures record itself, outside the journal.
    for (const db of touched) copyKey(store, copy, db, structuresKey as unknown as Key);
  });
  return entries.length;
}

function copyKey(store: LmdbStore, copy: Copy, db: string, key: Key): void {
  const target = copy.dbs.get(db);
  if (!target) return;
  const value = store.live.openDatabase(db).getBinary(key);
  if (value === undefined) target.removeSync(key);
  else target.putSync(key, value);
}

/** fsync of a file, or of a folder so a rename in it is durable, on libuv's thread pool. */
async function syncFile(path: string): Promise<void> {
  const handle = await openFile(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
