// The last runs of compaction, kept in the store's meta database so they survive a restart
// (the storage-health answer and the dashboard's storage card show them). Newest first.
//
// They live in the environment they describe: a restore brings back the history the
// backup held, and a compaction copies it along with everything else.
import type { Result } from './domain/errors.ts';
import { durableWrite } from './durable-write.ts';
import type { LmdbStore } from './lmdb-store.ts';

const historyKey = 'compaction_history';
export const compactionHistoryCap = 20;

export function readCompactionHistory<Run>(store: LmdbStore): Run[] {
  const stored = store.meta.get(historyKey);
  return Array.isArray(stored) ? (stored as Run[]) : [];
}

/** Puts `run` first and keeps the newest `compactionHistoryCap`; durable when it resolves ok. */
export function recordCompactionRun<Run>(store: LmdbStore, run: Run): Promise<Result<Run[]>> {
  return durableWrite(store, () => {
    const history = [run, ...readCompactionHistory<Run>(store)].slice(0, compactionHistoryCap);
    store.meta.put(historyKey, history);
    return { ok: true, value: history };
  });
}
