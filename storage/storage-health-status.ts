// The reference's rule for storage health, decided here only (PROTOCOL.md §10):
// a backup older than 48 h (or none) is stale; a fragmentation over 0.5 is high;
// both make the store unhealthy, one of them a warning.
import type { StorageHealthStatus, StorageHealthVerdict } from './domain/storage-reports.ts';

export type { StorageHealthStatus, StorageHealthVerdict };

export const staleBackupAfterMs = 48 * 60 * 60 * 1000;
export const highFragmentation = 0.5;

export interface StorageHealthInput {
  lastBackupAt: number | null;
  fragmentation: number;
  now: number;
}


export function storageHealthStatus(input: StorageHealthInput): StorageHealthVerdict {
  const stale = input.lastBackupAt === null || input.now - input.lastBackupAt > staleBackupAfterMs;
  const fragmented = input.fragmentation > highFragmentation;
  const health_status = stale && fragmented ? 'unhealthy' : stale || fragmented ? 'warning' : 'healthy';
  return { health_status, stale_backup: stale, high_fragmentation: fragmented };
}
