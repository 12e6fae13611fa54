// Bodies and replies of the storage admin routes: backups, restore, compaction, storage health.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  backupInfoSchema, compactionRunSchema, recordsQuarantineSchema, recoveryReportSchema, storageHealthVerdictSchema, storageStatsSchema,
} from '../../storage/domain/storage-reports.ts';

/** POST /api/admin/restore[/:table]: which backup; the newest good one when absent. */
// The name is looked up among the listed backups, never used as a path.
export const restoreRequestSchema = Type.Object({ backup: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
export type RestoreRequest = Static<typeof restoreRequestSchema>;

// Replies of the storage admin routes (reference §4, §10, and ours). The storage port's
// views are these schemas' types (web/storage-port.ts); storage's own records
// (storage/domain/storage-reports.ts) are sent as they are.
const count = Type.Integer({ minimum: 0 });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const backupProgressSchema = Type.Object({ started_at: count, bytes_written: count, bytes_expected: count });
export type BackupProgressView = Static<typeof backupProgressSchema>;

/** GET /api/admin/backups: newest first; `in_progress` while one is being taken. */
export const backupListingSchema = Type.Object({
  backup_dir: Type.String(),
  keep: count,
  backups: Type.Array(backupInfoSchema),
  in_progress: nullable(backupProgressSchema),
});
export type BackupListing = Static<typeof backupListingSchema>;

/** POST /api/admin/backup: the reference's per-table results (one environment holds every table), and ours. */
export const backupTakenSchema = Type.Object({
  status: Type.Literal('complete'),
  tables_total: count,
  tables_success: count,
  results: Type.Array(Type.Object({ table: Type.String(), status: Type.Literal('ok'), path: Type.String(), size: count })),
  backup: backupInfoSchema,
});

export const restoreStartedSchema = Type.Object({
  status: Type.Literal('restoring'),
  backup_used: Type.String(),
  created_at: count,
  record_count: count,
  file_size: count,
});
export type RestoreStarted = Static<typeof restoreStartedSchema>;
/** POST /api/admin/restore[/:table]: the table is always `all` in effect; the reference's name is echoed. */
export const restoreReplySchema = Type.Object({ ...restoreStartedSchema.properties, table: Type.String() });

/** POST /api/admin/compact: the reference's per-table counts, and the run. */
export const compactionReplySchema = Type.Object({
  status: Type.Literal('complete'),
  tables_total: count,
  tables_compacted: count,
  tables_skipped: count,
  results: Type.Array(Type.Object({ table: Type.String(), status: compactionRunSchema.properties.status, duration_ms: Type.Number({ minimum: 0 }) })),
  run: compactionRunSchema,
});
/** POST /api/admin/compact/:table. */
export const tableCompactionReplySchema = Type.Object({
  table: Type.String(), status: compactionRunSchema.properties.status, duration_ms: Type.Number({ minimum: 0 }), run: compactionRunSchema,
});

/** GET /api/admin/storage-health (and the reference's dets-health), and the dashboard's `dets_health`. */
export const storageHealthSchema = Type.Object({
  ...storageHealthVerdictSchema.properties,
  last_backup_at: nullable(count),
  last_backup_age_ms: nullable(Type.Integer()),
  /** The reference's per-table rows; every table lives in the one environment file. */
  tables: Type.Array(Type.Object({
    table: Type.String(),
    record_count: count,
    file_size_bytes: count,
    fragmentation_ratio: Type.Number({ minimum: 0 }),
    status: Type.Union([Type.Literal('healthy'), Type.Literal('warning')]),
  })),
  /** Null while storage restarts (a restore) or when the data dir is gone. */
  storage: nullable(storageStatsSchema),
  data_dir: Type.String(),
  backup_dir: Type.String(),
  backup_in_progress: nullable(backupProgressSchema),
  busy: nullable(Type.Union([Type.Literal('backup'), Type.Literal('compaction'), Type.Literal('restore')])),
  last_compaction: nullable(compactionRunSchema),
  compaction_history: Type.Array(compactionRunSchema),
  /** The last recovery at open or restore; `acknowledged` once a backup was taken after it. */
  last_recovery: nullable(Type.Object({
    ...recoveryReportSchema.properties,
    kind: Type.Union([Type.Literal('corruption'), Type.Literal('restore')]),
    acknowledged: Type.Boolean(),
  })),
  last_records_quarantine: nullable(Type.Object({ ...recordsQuarantineSchema.properties, acknowledged: Type.Boolean() })),
  /** Why /health says degraded ("code: detail"); empty when storage is fine. */
  reasons: Type.Array(Type.String()),
});
export type StorageHealth = Static<typeof storageHealthSchema>;
