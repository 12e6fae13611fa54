// Compaction: a compacting copy of the environment replaces the live file, so the
// file shrinks after mass deletes, while the hub keeps serving.
//
//   1. Journal the keys written from now on, wait for the writes already issued, and
//      take a compacting copy from one read snapshot (mdb_env_copy2, worker thread).
//   2. Catch up without pausing: replay onto the copy, from the live store, the keys
//      written since; repeat while that list is long.
//   3. Pause writes (reads go on): wait for the writes in flight, replay the last few
//      keys, serve reads from the copy while the live environment closes, rename the
//      copy's file over data.mdb, open it, resume writes. Only step 3 holds writes, and
//      its work is bounded by the last short list, not by the store's size.
//
// A kill -9 before the rename leaves data.mdb untouched and a `compacting` folder that
// the next open removes; the rename itself is atomic, and the copy was synced first.
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fail, ok, type Result } from '../runtime/errors.ts';
import { syncPath } from './backup.ts';
import { compactionDirOf } from './checked-open.ts';
import type { JournalEntry } from './live-environment.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { fileBytes, storageStats } from './storage-stats.ts';

export interface CompactionOutcome {
  size_before_bytes: number;
  size_after_bytes: number;
  fragmentation_before: number;
  /** How long writes were held for the swap. */
  write_pause_ms: number;
  keys_replayed: number;
  duration_ms: number;
}

export interface CompactionOptions {
  /** Catch-up rounds stop once a round has fewer keys than this. */
  catchUpKeys?: number;
  maxCatchUpRounds?: number;
}

const structuresKey = Symbol.for('structures');

export async function compactStore(store: LmdbStore, options: CompactionOptions = {}): Promise<Result<CompactionOutcome>> {
  const live = store.live;
  const dir = compactionDirOf(store.path);
  const started = performance.now();
  const before = storageStats(store);
  let copy: { root: RootDatabase; dbs: Map<string, Database> } | null = null;
  let paused = false;
  let switched = false;
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    live.startJournal();
    // A write issued before the journal started may commit after the snapshot: wait for those.
    await live.settled();
    await live.root.backup(dir, true);

    const root = open({ path: dir, maxDbs: 32, mapSize: before.map_size_bytes, compression: false });
    copy = { root, dbs: new Map(live.databaseNames().map((name) => [name, root.openDB({ name, encoding: 'binary' })])) };
    let replayed = 0;
    for (let round = 0; round < (options.maxCatchUpRounds ?? 5); round++) {
      const entries = live.takeJournal();
      await live.settled();
      replayed += replay(store, copy, entries);
      if (entries.length < (options.catchUpKeys ?? 1000)) break;
    }

    const pauseStarted = performance.now();
    live.holdWrites();
    paused = true;
    await live.settled();
    await live.root.flushed;
    replayed += replay(store, copy, live.takeJournal());
    live.stopJournal();
    await copy.root.close();
    copy = null;
    const old = live.switchTo(dir);
    switched = true;
    await old.close();
    renameSync(join(dir, 'data.mdb'), join(store.path, 'data.mdb'));
    syncPath(store.path);
    const interim = live.switchTo(store.path);
    switched = false;
    live.resumeWrites();
    paused = false;
    const writePauseMs = performance.now() - pauseStarted;
    await interim.close();
    rmSync(dir, { recursive: true, force: true });
    return ok({
      size_before_bytes: before.file_size_bytes,
      size_after_bytes: fileBytes(store.path),
      fragmentation_before: before.fragmentation,
      write_pause_ms: Math.round(writePauseMs * 100) / 100,
      keys_replayed: replayed,
      duration_ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    live.stopJournal();
    if (copy) await copy.root.close().catch(() => undefined);
    // The live file was not replaced: serve it again.
    if (switched) await live.switchTo(store.path).close().catch(() => undefined);
    if (paused) live.resumeWrites();
    rmSync(dir, { recursive: true, force: true });
    return fail('AC_ERR_COMPACTION_FAILED', (error as Error).message);
  }
}

/** Copies the current value (or absence) of each journalled key from the live store onto the copy. */
function replay(store: LmdbStore, copy: { root: RootDatabase; dbs: Map<string, Database> }, entries: JournalEntry[]): number {
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

function copyKey(store: LmdbStore, copy: { dbs: Map<string, Database> }, db: string, key: Key): void {
  const target = copy.dbs.get(db);
  if (!target) return;
  const value = store.live.openDatabase(db).getBinary(key);
  if (value === undefined) target.removeSync(key);
  else target.putSync(key, value);
}
