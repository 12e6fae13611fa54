// Storage news on the dashboard feed (reference §10): a backup, compaction or recovery
// finished or failed, and damaged task records were quarantined. runtime/storage-ops.ts
// emits them; they reach the dashboard inside `events` frames like every hub event.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const trigger = Type.Union([Type.Literal('manual'), Type.Literal('schedule')]);
const at = Type.Integer({ minimum: 0 });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const backupCompleteSchema = Type.Object({
  type: Type.Literal('backup_complete'), timestamp: at, trigger, backup: Type.String(), path: Type.String(),
  size_bytes: Type.Integer({ minimum: 0 }), duration_ms: Type.Number({ minimum: 0 }),
  task_counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
});
export const backupFailedSchema = Type.Object({ type: Type.Literal('backup_failed'), timestamp: at, trigger, reason: Type.String() });

export const compactionCompleteSchema = Type.Object({
  type: Type.Literal('compaction_complete'), timestamp: at, trigger,
  size_before_bytes: Type.Integer({ minimum: 0 }), size_after_bytes: Type.Integer({ minimum: 0 }), fragmentation_before: Type.Number(),
  write_pause_ms: Type.Number({ minimum: 0 }), keys_replayed: Type.Integer({ minimum: 0 }), keys_replayed_in_pause: Type.Integer({ minimum: 0 }),
  duration_ms: Type.Number({ minimum: 0 }),
});
export const compactionFailedSchema = Type.Object({
  type: Type.Literal('compaction_failed'), timestamp: at, trigger, reason: Type.String(), attempts: Type.Integer({ minimum: 1 }),
});

/** A corrupt file replaced by its newest good backup (`corruption`), or an operator's restore. */
export const recoveryCompleteSchema = Type.Object({
  type: Type.Literal('recovery_complete'), timestamp: at,
  kind: Type.Union([Type.Literal('corruption'), Type.Literal('restore')]),
  reason: Type.String(),
  quarantined: nullable(Type.String()),
  backup: nullable(Type.String()),
  backup_age_ms: nullable(Type.Number()),
  tasks_total: Type.Integer({ minimum: 0 }),
});
export const recoveryFailedSchema = Type.Object({ type: Type.Literal('recovery_failed'), timestamp: at, reason: Type.String() });

export const recordsQuarantinedSchema = Type.Object({
  type: Type.Literal('records_quarantined'), timestamp: at, folder: Type.String(), task_ids: Type.Array(Type.String()), count: Type.Integer({ minimum: 0 }),
});

export const storageEventSchemas = [
  backupCompleteSchema, backupFailedSchema, compactionCompleteSchema, compactionFailedSchema, recoveryCompleteSchema, recoveryFailedSchema,
  recordsQuarantinedSchema,
];
export type StorageEventFrame = Static<(typeof storageEventSchemas)[number]>;
