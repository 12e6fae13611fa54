// What the LMDB environment reports about its own size, for metrics and health.
import type { LmdbStore } from './lmdb-store.ts';

export interface StorageStats {
  /** Pages in use up to the last one written, times the page size. */
  sizeBytes: number;
  /** Pages left in the current map before it must grow (lmdb-js grows it when it fills). */
  freePages: number;
  /** Records in LMDB's freelist; each holds pages a later write can reuse. */
  freelistEntries: number;
}

export function storageStats(store: Pick<LmdbStore, 'root'>): StorageStats {
  const stats = store.root.getStats() as { pageSize: number; lastPageNumber: number; mapSize: number; free?: { entryCount: number } };
  const usedPages = stats.lastPageNumber + 1;
  return {
    sizeBytes: usedPages * stats.pageSize,
    freePages: Math.max(0, Math.floor(stats.mapSize / stats.pageSize) - usedPages),
    freelistEntries: stats.free?.entryCount ?? 0,
  };
}
