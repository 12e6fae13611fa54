// The dashboard's snapshot (reference §9): the hub's state in one object, sent on connect and
// on request_snapshot as {type: "snapshot", data, alerts}; GET /api/dashboard/state returns the
// same `data`. Serialized by a function compiled from this schema like every frame, so a field
// the hub adds is declared here first (one left out would be dropped; the protocol tests fail
// on it). It gives the page its types (web/static/src/types.ts); unknown fields are allowed so
// a page may read a newer hub's state.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { taskSchema } from '../../storage/domain/task.ts';
import { compactionRunSchema } from '../../storage/domain/storage-reports.ts';
import { fleetControlViewSchema } from './fleet-control.ts';
import { rateLimitsViewSchema } from './rate-limits.ts';
import { storageHealthSchema } from './storage-admin.ts';
import { taskStatsSchema } from './task-replies.ts';
import { agentViewSchema } from './agent-view.ts';
import { approvalViewSchema } from './approvals.ts';
import { activeAlertSchema } from './dashboard-events.ts';
import { metricsSampleSchema } from './metrics-sample.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

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
  queue: taskStatsSchema,
  dead_letter_tasks: Type.Array(taskSchema),
  recent_completions: Type.Array(taskSchema),
  series: Type.Array(metricsSampleSchema),
  storage: nullable(Type.Object({ size_bytes: Type.Integer({ minimum: 0 }) })),
  /** GET /api/admin/storage-health, under the reference's name. */
  dets_health: Type.Optional(storageHealthSchema),
  compaction_history: Type.Optional(Type.Array(compactionRunSchema)),
  rate_limits: rateLimitsViewSchema,
  approvals: Type.Object({ approvals: Type.Array(approvalViewSchema), count: Type.Integer({ minimum: 0 }), tasks_awaiting_approval: Type.Array(taskSchema) }),
  /** Fleet control: provider caps and usage, daily budgets (null without a ledger). */
  fleet_control: fleetControlViewSchema,
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
