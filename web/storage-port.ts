// What the transport needs for storage operations: backups, restore, compaction and
// health. runtime/storage-ops.ts implements it; it outlives the hub object, because an
// online restore restarts the hub and everything that holds storage.
import type { Result } from '../storage/domain/errors.ts';
import type { StorageEventFrame } from './protocol/storage-events.ts';


export interface BackupView {
  name: string;
  path: string;
  manifest: {
    created_at: number;
    hub_version: string;
    compact: boolean;
    task_counts: Record<string, number>;
    entries: Record<string, number>;
    size_bytes: number;
    sha256: string;
    duration_ms: number;
  };
}

export interface BackupProgressView {
  started_at: number;
  bytes_written: number;
  bytes_expected: number;
}

export interface BackupListing {
  backup_dir: string;
  keep: number;
  backups: BackupView[];
  in_progress: BackupProgressView | null;
}

export interface CompactionRun {
  started_at: number;
  finished_at: number;
  status: 'complete' | 'failed' | 'skipped';
  trigger: 'manual' | 'schedule';
  duration_ms: number;
  size_before_bytes: number;
  size_after_bytes: number;
  fragmentation_before: number;
  /** The longest time writes were held while the file was swapped. */
  write_pause_ms: number | null;
  keys_replayed: number;
  /** Of those, the keys replayed while writes were held (the last short list). */
  keys_replayed_in_pause: number;
  attempts: number;
  error?: string;
}

export interface RestoreStarted {
  status: 'restoring';
  backup_used: string;
  created_at: number;
  record_count: number;
  file_size: number;
}

export interface StoragePort {
  /** Takes a backup now; resolves when it is verified and listed. */
  backup(trigger: 'manual' | 'schedule'): Promise<Result<BackupView>>;
  backups(): BackupListing;
  /** Starts an online restore of the named backup (the newest good one by default); the hub restarts its storage. */
  restore(name: string | undefined): Promise<Result<RestoreStarted>>;
  compact(trigger: 'manual' | 'schedule'): Promise<Result<CompactionRun>>;
  /** GET /api/admin/storage-health: the reference's dets-health shape plus ours. */
  health(): Record<string, unknown>;
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
