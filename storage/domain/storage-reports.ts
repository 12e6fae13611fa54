// What storage reports about itself, declared once as schemas: the backup manifest, the
// file's page statistics, a compaction run, a recovery at open, damaged records taken out,
// and the health verdict. Storage builds these (storage/backup.ts, storage-stats.ts,
// checked-open.ts, damaged-records.ts); the API and the dashboard send them as they are
// (web/protocol/storage-admin.ts), so their types are these schemas' and nothing is copied.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { taskStatuses } from './task-status.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const count = Type.Integer({ minimum: 0 });
const ms = Type.Number({ minimum: 0 });
const counts = Type.Record(Type.String(), count);

/** Written beside each backup file; checked before a restore uses it. */
export const backupManifestSchema = Type.Object({
  format: Type.Literal(1),
  name: Type.String(),
  created_at: count,
  hub_version: Type.String(),
  /** A compacting copy: slower, and leaves the free pages out. */
  compact: Type.Boolean(),
  task_counts: Type.Object(Object.fromEntries(taskStatuses.map((status) => [status, count])) as Record<(typeof taskStatuses)[number], typeof count>),
  entries: counts,
  size_bytes: count,
  sha256: Type.String(),
  duration_ms: ms,
});
export type BackupManifest = Static<typeof backupManifestSchema>;

export const backupInfoSchema = Type.Object({ name: Type.String(), path: Type.String(), manifest: backupManifestSchema });
export type BackupInfo = Static<typeof backupInfoSchema>;

/** How the environment uses its file (storage/storage-stats.ts): pages in use and free, fragmentation, entries. */
export const storageStatsSchema = Type.Object({
  file_size_bytes: count,
  map_size_bytes: count,
  page_size: count,
  pages_total: count,
  pages_used: count,
  pages_free: count,
  fragmentation: Type.Number({ minimum: 0 }),
  entries: counts,
  /** Pages each named database's tree holds. */
  pages: counts,
});
export type StorageStats = Static<typeof storageStatsSchema>;

export const compactionRunSchema = Type.Object({
  started_at: count,
  finished_at: count,
  status: Type.Union([Type.Literal('complete'), Type.Literal('failed'), Type.Literal('skipped')]),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
  duration_ms: ms,
  size_before_bytes: count,
  size_after_bytes: count,
  fragmentation_before: Type.Number(),
  /** The longest time writes were held while the file was swapped. */
  write_pause_ms: nullable(ms),
  keys_replayed: count,
  /** Of those, the keys replayed while writes were held (the last short list). */
  keys_replayed_in_pause: count,
  attempts: count,
  error: Type.Optional(Type.String()),
});
export type CompactionRun = Static<typeof compactionRunSchema>;

/** A data file that failed its check at open, set aside, and what replaced it. */
export const recoveryReportSchema = Type.Object({
  at: count,
  reason: Type.String(),
  quarantined: Type.String(),
  /** The backup restored, or null when the hub started empty (--recover-empty). */
  backup: nullable(Type.Object({ name: Type.String(), created_at: count, age_ms: Type.Number(), tasks_total: count, task_counts: counts })),
});
export type RecoveryReport = Static<typeof recoveryReportSchema>;

export const quarantinedRecordSchema = Type.Object({
  id: Type.String(),
  error: Type.String(),
  db: Type.Union([Type.Literal('tasks'), Type.Literal('dead_letters')]),
  /** File in the folder holding the record's stored bytes, as they were. */
  file: Type.String(),
  bytes: count,
  /** Index entries that pointed at it, removed with it (keys as stored). */
  index_keys: Type.Record(Type.String(), Type.Array(Type.Unknown())),
});
export type QuarantinedRecord = Static<typeof quarantinedRecordSchema>;

export const recordsQuarantineSchema = Type.Object({ folder: Type.String(), at: count, records: Type.Array(quarantinedRecordSchema) });
export type RecordsQuarantine = Static<typeof recordsQuarantineSchema>;

export const storageHealthStatuses = ['healthy', 'warning', 'unhealthy'] as const;
export type StorageHealthStatus = (typeof storageHealthStatuses)[number];
/** The reference's rule (storage/storage-health-status.ts decides it). */
export const storageHealthVerdictSchema = Type.Object({
  health_status: Type.Union(storageHealthStatuses.map((status) => Type.Literal(status))),
  stale_backup: Type.Boolean(),
  high_fragmentation: Type.Boolean(),
});
export type StorageHealthVerdict = Static<typeof storageHealthVerdictSchema>;
