// What the transport needs for storage operations: backups, restore, compaction and
// health. runtime/storage-ops.ts implements it; it outlives the hub object, because an
// online restore restarts the hub and everything that holds storage.
import type { Result } from '../storage/domain/errors.ts';
import type { StorageEventFrame } from './protocol/storage-events.ts';
import type { BackupInfo, CompactionRun } from '../storage/domain/storage-reports.ts';
import type { BackupListing, BackupProgressView, RestoreStarted, StorageHealth } from './protocol/storage-admin.ts';

/** A verified backup: its file and manifest. */
export type BackupView = BackupInfo;

export type { BackupListing, BackupProgressView, CompactionRun, RestoreStarted, StorageHealth };

export interface StoragePort {
  /** Takes a backup now; resolves when it is verified and listed. */
  backup(trigger: 'manual' | 'schedule'): Promise<Result<BackupView>>;
  backups(): BackupListing;
  /** Starts an online restore of the named backup (the newest good one by default); the hub restarts its storage. */
  restore(name: string | undefined): Promise<Result<RestoreStarted>>;
  compact(trigger: 'manual' | 'schedule'): Promise<Result<CompactionRun>>;
  /** GET /api/admin/storage-health: the reference's dets-health shape plus ours. */
  health(): StorageHealth;
  /** Why /health says degraded; empty when storage is fine. */
  degradedReasons(): string[];
  compactionHistory(): CompactionRun[];
  /** A request failed with this error: when it means a corrupt file, storage is quarantined and restored. */
  storageError(error: unknown): void;
  /** A listing skipped these undecodable task records: quarantine them and take them out of the store. */
  damagedRecordsFound(records: ReadonlyArray<{ id: string; error: string }>): void;
  /** Storage events for the dashboard feed (`backup_complete`, `compaction_*`, `recovery_*`). */
  onEvent(listener: (event: StorageEventFrame) => void): () => void;
}
