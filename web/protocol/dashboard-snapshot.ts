// The dashboard's snapshot (reference §9): the hub's state in one object, sent on connect and
// on request_snapshot as {type: "snapshot", data, alerts}; GET /api/dashboard/state returns the
// same `data`. Rarely sent, so it keeps JSON.stringify: the schema is checked by the protocol
// test and gives the page its types (web/static/src/types.ts). Parts the page does not read
// field by field stay open records; unknown fields are allowed so a newer hub may add some.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { taskSchema } from '../../storage/domain/task.ts';
import { agentViewSchema } from './agent-view.ts';
import { approvalViewSchema } from './approvals.ts';
import { activeAlertSchema } from './dashboard-events.ts';
import { metricsSampleSchema } from './metrics-sample.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const counts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));
const openRecord = Type.Record(Type.String(), Type.Unknown());

export const queueStatsSchema = Type.Object({
  by_status: counts,
  /** Queued tasks per lane, "0" (urgent) … "3" (low). */
  by_priority: counts,
  dead_letter: Type.Integer({ minimum: 0 }),
  queued_index_size: Type.Integer({ minimum: 0 }),
  unreadable_records: Type.Optional(Type.Integer({ minimum: 0 })),
  retention: Type.Optional(Type.Object({ removed: counts, last_sweep_at: nullable(Type.Integer({ minimum: 0 })) })),
});

export const compactionRunSchema = Type.Object({
  started_at: Type.Integer({ minimum: 0 }),
  finished_at: Type.Integer({ minimum: 0 }),
  status: Type.Union([Type.Literal('complete'), Type.Literal('failed'), Type.Literal('skipped')]),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
  duration_ms: Type.Number({ minimum: 0 }),
  size_before_bytes: Type.Integer({ minimum: 0 }),
  size_after_bytes: Type.Integer({ minimum: 0 }),
  fragmentation_before: Type.Number(),
  write_pause_ms: nullable(Type.Number({ minimum: 0 })),
  keys_replayed: Type.Integer({ minimum: 0 }),
  keys_replayed_in_pause: Type.Integer({ minimum: 0 }),
  attempts: Type.Integer({ minimum: 0 }),
  error: Type.Optional(Type.String()),
});

/** One bucket key denied in the last minute (`agent:<id>`, `ip:<address>`). */
export const rateLimitedSubjectSchema = Type.Object({
  key: Type.String(),
  agent_id: nullable(Type.String()),
  tier: Type.String(),
  channel: Type.String(),
  retry_after_ms: Type.Integer({ minimum: 0 }),
  denied_at: Type.Integer({ minimum: 0 }),
  denials: Type.Integer({ minimum: 0 }),
});

export const dashboardStateSchema = Type.Object({
  uptime_ms: Type.Integer({ minimum: 0 }),
  timestamp: Type.Integer({ minimum: 0 }),
  version: Type.String(),
  /** Which uWebSockets.js build serves the hub. */
  transport: Type.Optional(Type.Union([Type.Literal('native'), Type.Literal('js-fallback')])),
  health: Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    agents_connected: Type.Integer({ minimum: 0 }),
    agents_known: Type.Integer({ minimum: 0 }),
  }),
  agents: Type.Array(agentViewSchema),
  /** This hub's name, on a cluster of hubs (engine jetstream). */
  hub_name: Type.Optional(Type.String()),
  queue: queueStatsSchema,
  dead_letter_tasks: Type.Array(taskSchema),
  recent_completions: Type.Array(taskSchema),
  series: Type.Array(metricsSampleSchema),
  storage: nullable(Type.Object({ size_bytes: Type.Integer({ minimum: 0 }) })),
  /** GET /api/admin/storage-health (the reference's name): health_status, last_backup_at, storage, reasons and more. */
  dets_health: Type.Optional(openRecord),
  compaction_history: Type.Optional(Type.Array(compactionRunSchema)),
  rate_limits: Type.Object({
    defaults: openRecord, overrides: Type.Record(Type.String(), openRecord), whitelist: Type.Array(Type.String()),
    limited: Type.Array(rateLimitedSubjectSchema),
  }),
  approvals: Type.Object({ approvals: Type.Array(approvalViewSchema), count: Type.Integer({ minimum: 0 }), tasks_awaiting_approval: Type.Array(taskSchema) }),
  /** Fleet control: provider caps and usage, daily budgets (null without a ledger). */
  fleet_control: Type.Object({ providers: Type.Array(Type.Object({}, { additionalProperties: true })), budgets: Type.Unknown() }),
  /** In the snapshot frame; GET /api/dashboard/state leaves them to GET /api/alerts. */
  active_alerts: Type.Optional(Type.Array(activeAlertSchema)),
});
export type DashboardStateFrame = Static<typeof dashboardStateSchema>;

/** The alerts come twice: inside `data` (our page) and beside it (the reference's clients). */
export const snapshotFrameSchema = Type.Object({
  type: Type.Literal('snapshot'),
  data: dashboardStateSchema,
  alerts: Type.Array(activeAlertSchema),
});
export type SnapshotFrame = Static<typeof snapshotFrameSchema>;
