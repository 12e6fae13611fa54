// How the environment uses its file: pages in use and free, fragmentation, entries.
//
// Pages used = every page a tree holds (each named database, the main tree that
// names them, the free-page tree itself) plus the two meta pages; the rest up to
// the last page are free (on LMDB's free list, reusable but not given back to the
// file system until a compacting copy). fragmentation = free ÷ total pages.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { LmdbStore } from './lmdb-store.ts';

import type { StorageStats } from './domain/storage-reports.ts';

export type { StorageStats };

interface TreeStat {
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

const metaPages = 2;

export function storageStats(store: LmdbStore): StorageStats {
  const root = store.live.root;
  const stats = root.getStats() as TreeStat & { root: TreeStat; free: TreeStat; lastPageNumber: number; mapSize: number; pageSize: number };
  const pagesOf = (tree: TreeStat) => tree.treeBranchPageCount + tree.treeLeafPageCount + tree.overflowPages;
  let used = metaPages + pagesOf(stats.root) + pagesOf(stats.free);
  const pages: Record<string, number> = {};
  for (const name of store.live.databaseNames()) {
    pages[name] = pagesOf(store.live.openDatabase(name).getStats() as TreeStat);
    used += pages[name];
  }
  const total = stats.lastPageNumber + 1;
  const free = Math.max(0, total - used);
  return {
    file_size_bytes: fileBytes(store.path),
    map_size_bytes: stats.mapSize,
    page_size: stats.pageSize,
    pages_total: total,
    pages_used: Math.min(used, total),
    pages_free: free,
    fragmentation: total > 0 ? Math.round((free / total) * 1e4) / 1e4 : 0,
    entries: store.live.entryCounts(),
    pages,
  };
}

export function fileBytes(dir: string): number {
  try {
    return statSync(join(dir, 'data.mdb')).size;
  } catch {
    return 0;
  }
}
