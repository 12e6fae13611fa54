// Storage operations of a running hub: backups, online restore, compaction, health.
//
// One object for the life of the process (it outlives the hub object, which an
// online restore restarts). The storage service tells it which store is open; it
// runs one operation at a time; it asks boot to restart storage for a restore or
// after a corruption error, and leaves the swap itself to the storage service's
// next start (storage/checked-open.ts, storage/restore.ts).
import { existsSync } from 'node:fs';
import { listBackups, pruneBackups, takeBackup, verifyBackupFile, type BackupInfo, type BackupProgress } from '../storage/backup.ts';
import { sweepStaleStaging } from '../storage/backup-staging.ts';
import { defaultWriteMbPerSecond, writeBudget, type WriteBudget } from '../storage/budgeted-copy.ts';
import { quarantineDirOf, type RecoveryReport } from '../storage/checked-open.ts';
import { compactStore, type CompactionOutcome } from '../storage/compaction.ts';
import { compactionHistoryCap, readCompactionHistory, recordCompactionRun } from '../storage/compaction-history.ts';
import { isCorruptionError } from '../storage/corruption-error.ts';
import { quarantineDamagedRecords, type DamagedRecord, type RecordsQuarantine } from '../storage/damaged-records.ts';
import type { LmdbStore } from '../storage/lmdb-store.ts';
import { storageHealthStatus } from '../storage/storage-health-status.ts';
import { storageStats, type StorageStats } from '../storage/storage-stats.ts';
import type { StorageEventFrame } from '../web/protocol/storage-events.ts';

/** A storage event before it is stamped with its time. */
type StorageNews = StorageEventFrame extends infer E ? (E extends StorageEventFrame ? Omit<E, 'timestamp'> : never) : never;
import type { BackupListing, BackupView, CompactionRun, RestoreStarted, StorageHealth, StoragePort } from '../web/storage-port.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import type { Logger } from './logger.ts';

export interface StorageOpsConfig {
  dataDir: string;
  backupDir: string;
  backupKeep: number;
  backupCompact: boolean;
  /** Where a backup's copy is staged in memory ("off": straight to disk); default: none. */
  backupStagingDir?: string;
  backupWriteMbPerSecond?: number;
  compactionThreshold: number;
  hubVersion: string;
  logger: Logger;
  now?: () => number;
}

/** What the storage service must do before it next opens the store. */
export type PendingOpen = { kind: 'restore'; backup: BackupInfo; requestedAt: number } | { kind: 'recover'; reason: string };

type Busy = 'backup' | 'compaction' | 'restore';

export class StorageOps implements StoragePort {
  private store: LmdbStore | null = null;
  private busy: Busy | null = null;
  private progress: (BackupProgress & { started_at: number }) | null = null;
  private pending: PendingOpen | null = null;
  private readonly listeners = new Set<(event: StorageEventFrame) => void>();
  /** The last compaction runs, newest first, as stored in the open store (storage/compaction-history.ts). */
  private history: CompactionRun[] = [];
  /** The last recovery; `acknowledged` once a backup was taken after it. */
  private lastRecovery: (RecoveryReport & { kind: 'corruption' | 'restore'; acknowledged: boolean }) | null = null;
  /** Events emitted while nobody listens (during a storage restart, before the new hub subscribes). */
  private readonly unheard: StorageEventFrame[] = [];
  private lastBackupError: string | null = null;
  /** The last damaged records taken out of the store; `acknowledged` once a backup was taken after it. */
  private lastRecordsQuarantine: (RecordsQuarantine & { acknowledged: boolean }) | null = null;
  /** Quarantines run one after another; ids already queued or done are not queued again. */
  private quarantining: Promise<void> = Promise.resolve();
  private readonly quarantineQueued = new Set<string>();
  private readonly now: () => number;
  private readonly log: Logger;
  /** Set by boot: restarts the storage service and everything started after it. */
  restartStorage: (reason: string) => void = () => {};

  constructor(private readonly config: StorageOpsConfig) {
    this.now = config.now ?? Date.now;
    this.log = config.logger.child({ module: 'storage-ops' });
    // A kill -9 during a backup leaves its staging copy in memory: give that memory back at start.
    const swept = config.backupStagingDir ? sweepStaleStaging(config.backupStagingDir) : [];
    if (swept.length > 0) this.log.notice('removed staging copies of interrupted backups', { folders: swept });
  }

  // --- the storage service's side -------------------------------------------------

  /** `damaged`: what the open quarantined (storage/checked-open.ts), to report. */
  storageOpened(store: LmdbStore, recovery: RecoveryReport | null, damaged: Result<RecordsQuarantine> | null = null): void {
    this.store = store;
    this.quarantineQueued.clear();
    if (damaged) this.reportRecordsQuarantine(damaged, []);
    this.history = this.storedHistory(store);
    const pending = this.pending;
    this.pending = null;
    if (recovery) this.reportRecovery({ ...recovery, kind: 'corruption' });
    if (pending?.kind === 'restore') {
      this.busy = null;
      const backup = pending.backup;
      this.reportRecovery({
        kind: 'restore', at: this.now(), reason: 'restore requested', quarantined: '',
        backup: {
          name: backup.name, created_at: backup.manifest.created_at, age_ms: this.now() - backup.manifest.created_at,
          tasks_total: totalOf(backup.manifest.task_counts), task_counts: backup.manifest.task_counts,
        },
      });
    }
  }

  storageClosed(): void {
    this.store = null;
  }

  /** Consumed by the storage service's start. */
  takePendingOpen(): PendingOpen | null {
    return this.pending;
  }

  /** The restore asked for could not be done: the previous file stays live. */
  restoreFailed(reason: string): void {
    this.pending = null;
    this.busy = null;
    this.log.error('restore failed', { code: 'AC_ERR_RESTORE_FAILED', reason });
    this.emit({ type: 'recovery_failed', reason });
  }

  // --- backups ----------------------------------------------------------------------

  async backup(trigger: 'manual' | 'schedule'): Promise<Result<BackupView>> {
    const store = this.store;
    if (!store) return fail('AC_ERR_STORAGE_BUSY', 'restart of storage');
    if (this.busy) return fail('AC_ERR_STORAGE_BUSY', this.busy);
    this.busy = 'backup';
    const startedAt = this.now();
    this.progress = { started_at: startedAt, bytes_written: 0, bytes_expected: 0 };
    try {
      const taken = await takeBackup(store, {
        backupDir: this.config.backupDir,
        hubVersion: this.config.hubVersion,
        compact: this.config.backupCompact,
        ...this.stagedCopy(),
        now: this.now,
        onProgress: (progress) => {
          this.progress = { started_at: startedAt, ...progress };
        },
      });
      if (!taken.ok) {
        this.lastBackupError = taken.detail;
        this.log.error('backup failed', { code: taken.code, trigger, reason: taken.detail });
        this.emit({ type: 'backup_failed', trigger, reason: taken.detail });
        return taken;
      }
      this.lastBackupError = null;
      const pruned = pruneBackups(this.config.backupDir, this.config.backupKeep);
      const { copy, ...info } = taken.value;
      const { manifest } = info;
      this.log.info('backup complete', {
        trigger, backup: info.name, size_bytes: manifest.size_bytes, duration_ms: manifest.duration_ms,
        tasks_total: totalOf(manifest.task_counts), pruned, copy,
      });
      this.emit({
        type: 'backup_complete',
        trigger, backup: taken.value.name, path: taken.value.path, size_bytes: manifest.size_bytes,
        duration_ms: manifest.duration_ms, task_counts: manifest.task_counts,
      });
      // A fresh backup is what an operator takes after a recovery: /health stops saying degraded.
      if (this.lastRecovery) this.lastRecovery.acknowledged = true;
      if (this.lastRecordsQuarantine) this.lastRecordsQuarantine.acknowledged = true;
      return ok(info);
    } finally {
      this.busy = null;
      this.progress = null;
    }
  }

  backups(): BackupListing {
    return {
      backup_dir: this.config.backupDir,
      keep: this.config.backupKeep,
      backups: listBackups(this.config.backupDir),
      in_progress: this.progress,
    };
  }

  // --- restore ------------------------------------------------------------------------

  async restore(name: string | undefined): Promise<Result<RestoreStarted>> {
    if (this.busy) return fail('AC_ERR_STORAGE_BUSY', this.busy);
    const good = listBackups(this.config.backupDir);
    const chosen = name === undefined ? good[0] : good.find((info) => info.name === name);
    if (!chosen) return fail('AC_ERR_BACKUP_NOT_FOUND', name ?? '(newest)', this.config.backupDir);
    this.busy = 'restore';
    const verified = await verifyBackupFile(chosen);
    if (!verified.ok) {
      this.busy = null;
      return verified;
    }
    this.pending = { kind: 'restore', backup: chosen, requestedAt: this.now() };
    this.log.notice('online restore requested: restarting storage', { backup: chosen.name });
    // After the reply is out: the restart closes every connection, this one included.
    setTimeout(() => this.restartStorage(`restore of ${chosen.name}`), 50);
    return ok({
      status: 'restoring',
      backup_used: chosen.name,
      created_at: chosen.manifest.created_at,
      record_count: totalOf(chosen.manifest.task_counts),
      file_size: chosen.manifest.size_bytes,
    });
  }

  storageError(error: unknown): void {
    if (isCorruptionError(error)) this.corruptionDetected(String((error as Error).message ?? error));
  }

  /** A storage call failed in a way that means the file is corrupt: quarantine it and restore, via a storage restart. */
  corruptionDetected(reason: string): void {
    if (this.pending) return;
    this.pending = { kind: 'recover', reason };
    this.log.error('storage corruption detected at run time: restarting storage to restore', { code: 'AC_ERR_STORAGE_CORRUPT', reason });
    this.restartStorage(`corruption: ${reason}`);
  }

  // --- damaged records ------------------------------------------------------------------

  /**
   * Records a listing (or the check at open) could not decode: their bytes go to the
   * quarantine folder and they leave the store (storage/damaged-records.ts), so the next
   * listing is clean. Reported in the log, /health and a `records_quarantined` event.
   */
  damagedRecordsFound(records: ReadonlyArray<DamagedRecord>): void {
    const fresh = records.filter((record) => !this.quarantineQueued.has(record.id));
    if (fresh.length === 0) return;
    for (const record of fresh) this.quarantineQueued.add(record.id);
    this.quarantining = this.quarantining.then(() => this.quarantineRecords(fresh));
  }

  private async quarantineRecords(records: DamagedRecord[]): Promise<void> {
    const store = this.store;
    if (!store) return;
    const folder = quarantineDirOf(this.config.backupDir);
    let done: Result<RecordsQuarantine>;
    try {
      done = await quarantineDamagedRecords(store, records, folder, this.now());
    } catch (error) {
      done = fail('AC_ERR_STORAGE', (error as Error).message);
    }
    this.reportRecordsQuarantine(done, records);
  }

  private reportRecordsQuarantine(done: Result<RecordsQuarantine>, asked: DamagedRecord[]): void {
    if (!done.ok) {
      this.log.error('damaged records not quarantined', { code: done.code, reason: done.detail, task_ids: asked.map((record) => record.id) });
      for (const record of asked) this.quarantineQueued.delete(record.id);
      return;
    }
    if (done.value.records.length === 0) return;
    this.lastRecordsQuarantine = { ...done.value, acknowledged: false };
    const ids = done.value.records.map((record) => record.id);
    this.log.error('damaged task records quarantined and removed from the store', {
      code: 'AC_ERR_STORAGE', folder: done.value.folder, task_ids: ids, errors: done.value.records.map((record) => record.error),
    });
    this.emit({ type: 'records_quarantined', folder: done.value.folder, task_ids: ids, count: ids.length });
  }

  // --- compaction ---------------------------------------------------------------------

  /**
   * A scheduled run compacts only above `compaction_threshold`; a manual one always.
   * A failure is retried once.
   */
  async compact(trigger: 'manual' | 'schedule'): Promise<Result<CompactionRun>> {
    const store = this.store;
    if (!store) return fail('AC_ERR_STORAGE_BUSY', 'restart of storage');
    if (this.busy) return fail('AC_ERR_STORAGE_BUSY', this.busy);
    const startedAt = this.now();
    const fragmentation = storageStats(store).fragmentation;
    if (trigger === 'schedule' && fragmentation <= this.config.compactionThreshold) {
      return ok(this.runOf(startedAt, trigger, 'skipped', { fragmentation_before: fragmentation }, 0));
    }
    this.busy = 'compaction';
    try {
      let attempts = 0;
      let outcome: Awaited<ReturnType<typeof compactStore>>;
      do {
        attempts += 1;
        outcome = await compactStore(store);
        if (!outcome.ok) this.log.warning('compaction attempt failed', { code: outcome.code, attempt: attempts, reason: outcome.detail });
      } while (!outcome.ok && attempts < 2 && this.store === store);
      if (!outcome.ok) {
        const run = this.runOf(startedAt, trigger, 'failed', { fragmentation_before: fragmentation }, attempts, outcome.detail);
        await this.recordCompaction(store, run);
        this.log.error('compaction failed', { code: outcome.code, trigger, reason: outcome.detail });
        this.emit({ type: 'compaction_failed', trigger, reason: outcome.detail, attempts });
        return outcome;
      }
      const run = this.runOf(startedAt, trigger, 'complete', outcome.value, attempts);
      await this.recordCompaction(store, run);
      this.log.info('compaction complete', { trigger, ...outcome.value, attempts });
      this.emit({ type: 'compaction_complete', trigger, ...outcome.value });
      return ok(run);
    } finally {
      this.busy = null;
    }
  }

  private runOf(
    startedAt: number, trigger: 'manual' | 'schedule', status: CompactionRun['status'],
    figures: Partial<CompactionOutcome>, attempts: number, error?: string,
  ): CompactionRun {
    const finishedAt = this.now();
    return {
      started_at: startedAt,
      finished_at: finishedAt,
      status,
      trigger,
      duration_ms: figures.duration_ms ?? finishedAt - startedAt,
      size_before_bytes: figures.size_before_bytes ?? 0,
      size_after_bytes: figures.size_after_bytes ?? 0,
      fragmentation_before: figures.fragmentation_before ?? 0,
      write_pause_ms: figures.write_pause_ms ?? null,
      keys_replayed: figures.keys_replayed ?? 0,
      keys_replayed_in_pause: figures.keys_replayed_in_pause ?? 0,
      attempts,
      ...(error ? { error } : {}),
    };
  }

  compactionHistory(): CompactionRun[] {
    return [...this.history];
  }

  /** Kept in memory at once, and in the store so it survives a restart; a write that fails (disk full) is logged. */
  private async recordCompaction(store: LmdbStore, run: CompactionRun): Promise<void> {
    this.history = [run, ...this.history].slice(0, compactionHistoryCap);
    if (this.store !== store) return;
    const recorded = await recordCompactionRun(store, run).catch((error: unknown) => ({ ok: false as const, detail: String(error) }));
    if (!recorded.ok) this.log.warning('compaction history not saved', { reason: recorded.detail });
  }

  private storedHistory(store: LmdbStore): CompactionRun[] {
    try {
      return readCompactionHistory<CompactionRun>(store);
    } catch (error) {
      this.log.warning('compaction history unreadable', { reason: (error as Error).message });
      return [];
    }
  }

  // --- health -------------------------------------------------------------------------

  health(): StorageHealth {
    const now = this.now();
    const stats = this.stats();
    const lastBackupAt = listBackups(this.config.backupDir)[0]?.manifest.created_at ?? null;
    const verdict = storageHealthStatus({ lastBackupAt, fragmentation: stats?.fragmentation ?? 0, now });
    const tables = stats
      ? Object.keys(stats.entries).map((table): StorageHealth['tables'][number] => ({
        table,
        record_count: stats.entries[table] ?? 0,
        file_size_bytes: (stats.pages[table] ?? 0) * stats.page_size,
        fragmentation_ratio: stats.fragmentation,
        status: verdict.high_fragmentation ? 'warning' : 'healthy',
      }))
      : [];
    return {
      ...verdict,
      last_backup_at: lastBackupAt,
      last_backup_age_ms: lastBackupAt === null ? null : now - lastBackupAt,
      tables,
      storage: stats,
      data_dir: this.config.dataDir,
      backup_dir: this.config.backupDir,
      backup_in_progress: this.progress,
      busy: this.busy,
      last_compaction: this.history[0] ?? null,
      compaction_history: this.compactionHistory(),
      last_recovery: this.lastRecovery,
      last_records_quarantine: this.lastRecordsQuarantine,
      reasons: this.degradedReasons(),
    };
  }

  degradedReasons(): string[] {
    const reasons: string[] = [];
    if (!this.store) reasons.push('storage_restarting');
    const recovery = this.lastRecovery;
    if (recovery && recovery.kind === 'corruption' && !recovery.acknowledged) {
      reasons.push(recovery.backup
        ? `restored_from_backup: ${recovery.backup.name}, ${Math.round(recovery.backup.age_ms / 60000)} min old, ${recovery.backup.tasks_total} tasks`
        : 'started_empty_after_corruption');
    }
    if (this.lastBackupError) reasons.push(`backup_failed: ${this.lastBackupError}`);
    const records = this.lastRecordsQuarantine;
    if (records && !records.acknowledged) {
      reasons.push(`records_quarantined: ${records.records.length} damaged task record(s) moved to ${records.folder}`);
    }
    const stats = this.stats();
    if (stats) {
      const lastBackupAt = listBackups(this.config.backupDir)[0]?.manifest.created_at ?? null;
      if (storageHealthStatus({ lastBackupAt, fragmentation: stats.fragmentation, now: this.now() }).health_status === 'unhealthy') {
        reasons.push('storage_unhealthy: no backup within 48 h and fragmentation over 0.5');
      }
    }
    return reasons;
  }

  onEvent(listener: (event: StorageEventFrame) => void): () => void {
    this.listeners.add(listener);
    for (const event of this.unheard.splice(0)) listener(event);
    return () => this.listeners.delete(listener);
  }

  // --- internals ----------------------------------------------------------------------

  /** Backups take their copy in memory and write it out at this budget. */
  private stagedCopy(): { staging: { dir: string } | null; writeBudget: WriteBudget } {
    return {
      staging: this.config.backupStagingDir ? { dir: this.config.backupStagingDir } : null,
      writeBudget: writeBudget(this.config.backupWriteMbPerSecond ?? defaultWriteMbPerSecond),
    };
  }

  private stats(): StorageStats | null {
    if (!this.store || !existsSync(this.config.dataDir)) return null;
    try {
      return storageStats(this.store);
    } catch {
      return null;
    }
  }

  private reportRecovery(report: RecoveryReport & { kind: 'corruption' | 'restore' }): void {
    this.lastRecovery = { ...report, acknowledged: false };
    const fields = {
      kind: report.kind, reason: report.reason, quarantined: report.quarantined || null,
      backup: report.backup?.name ?? null, backup_age_ms: report.backup?.age_ms ?? null, tasks_total: report.backup?.tasks_total ?? 0,
    };
    if (report.kind === 'corruption') this.log.error('storage recovered after corruption', { code: 'AC_ERR_STORAGE_CORRUPT', ...fields });
    else this.log.notice('restore complete', fields);
    this.emit({ type: 'recovery_complete', ...fields });
  }

  private emit(news: StorageNews): void {
    const event: StorageEventFrame = { ...news, timestamp: this.now() };
    if (this.listeners.size === 0 && this.unheard.length < 20) this.unheard.push(event);
    for (const listener of this.listeners) listener(event);
  }
}

function totalOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
