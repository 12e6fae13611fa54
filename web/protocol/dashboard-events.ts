// The dashboard feed, hub → dashboard (reference §9): every 100 ms the hub's events of that
// window go out as one `events` frame, each event with the reference's type and a timestamp.
// runtime/wire-events.ts makes them from the typed hub events; storage news has its own file.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { agentViewSchema } from './agent-view.ts';
import { approvalViewSchema } from './approvals.ts';
import { metricsSampleSchema } from './metrics-sample.ts';
import { metricsSnapshotSchema } from './metrics-snapshot.ts';
import { pathLeaseSchema } from './path-leases.ts';
import { storageEventSchemas } from './storage-events.ts';

const at = Type.Integer({ minimum: 0 });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** One step of a task's life; the fields after `generation` come with the steps that have them. */
export const taskEventSchema = Type.Object({
  type: Type.Literal('task_event'),
  timestamp: at,
  task_id: Type.String(),
  /** submitted, assigned, completed, retry, dead_letter, reclaimed, budget_exceeded, a dependency step… */
  event: Type.String(),
  status: Type.String(),
  priority: Type.Integer({ minimum: 0, maximum: 3 }),
  agent_id: nullable(Type.String()),
  generation: Type.Integer({ minimum: 0 }),
  /** assigned: how long it waited in its lane (null for a push). */
  latency_ms: Type.Optional(nullable(Type.Number())),
  /** reclaimed and rejected: why. */
  reason: Type.Optional(Type.String()),
  /** approved and rejected: who decided, and after how long. */
  by: Type.Optional(nullable(Type.String())),
  waited_ms: Type.Optional(Type.Number({ minimum: 0 })),
  /** budget_exceeded. */
  tokens_used: Type.Optional(Type.Integer({ minimum: 0 })),
  budget_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
  /** no_progress: since when its progress stayed the same. */
  since_ms: Type.Optional(Type.Number({ minimum: 0 })),
});

export const leaseEventSchema = Type.Object({
  type: Type.Literal('lease_event'),
  timestamp: at,
  event: Type.Union([Type.Literal('acquired'), Type.Literal('released'), Type.Literal('denied')]),
  /** acquired, released. */
  lease: Type.Optional(pathLeaseSchema),
  /** denied: who asked for what, and the lease in the way. */
  task_id: Type.Optional(Type.String()),
  agent_id: Type.Optional(Type.String()),
  paths: Type.Optional(Type.Array(Type.String())),
  holder: Type.Optional(pathLeaseSchema),
});

export const approvalEventSchema = Type.Object({
  type: Type.Literal('approval_event'),
  timestamp: at,
  event: Type.Union([Type.Literal('asked'), Type.Literal('answered'), Type.Literal('closed')]),
  approval: approvalViewSchema,
});

/** The dashboard's agent events carry the full view; on a cluster `hub` says where the agent is. */
export const dashboardAgentJoinedSchema = Type.Object({ type: Type.Literal('agent_joined'), timestamp: at, agent: agentViewSchema });
export const dashboardStatusChangedSchema = Type.Object({ type: Type.Literal('status_changed'), timestamp: at, agent: agentViewSchema });
export const dashboardAgentLeftSchema = Type.Object({ type: Type.Literal('agent_left'), timestamp: at, agent_id: Type.String() });
export const agentRemovedSchema = Type.Object({ type: Type.Literal('agent_removed'), timestamp: at, agent_id: Type.String() });

/** The charts' sample, and the /api/metrics snapshot recomputed with it (null when there is none). */
export const metricsSnapshotEventSchema = Type.Object({
  type: Type.Literal('metrics_snapshot'),
  timestamp: at,
  sample: metricsSampleSchema,
  /** The /api/metrics snapshot (reference §9), whole. */
  metrics: nullable(metricsSnapshotSchema),
});

/** An alert as the feed, the snapshot and GET /api/alerts carry it. */
export const activeAlertSchema = Type.Object({
  rule_id: Type.String(),
  severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  fired_at: at,
  acknowledged: Type.Boolean(),
});
export const alertFiredSchema = Type.Object({ type: Type.Literal('alert_fired'), timestamp: at, ...activeAlertSchema.properties });
export const alertClearedSchema = Type.Object({ type: Type.Literal('alert_cleared'), timestamp: at, rule_id: Type.String() });
export const alertAcknowledgedSchema = Type.Object({ type: Type.Literal('alert_acknowledged'), timestamp: at, rule_id: Type.String() });

/** A token bucket denied an action (the first denial of a run; repeats are not sent). */
export const rateLimitedEventSchema = Type.Object({
  type: Type.Literal('rate_limited'), timestamp: at, key: Type.String(), agent_id: nullable(Type.String()), channel: Type.String(),
  tier: Type.String(), retry_after_ms: Type.Integer({ minimum: 0 }),
});

const blockReason = Type.Union([Type.Literal('breaker'), Type.Literal('rate_limited')]);
export const agentBlockedSchema = Type.Object({
  type: Type.Literal('agent_blocked'), timestamp: at, agent_id: Type.String(), reason: blockReason, until: nullable(at),
  consecutive_failures: Type.Integer({ minimum: 0 }),
});
export const agentUnblockedSchema = Type.Object({ type: Type.Literal('agent_unblocked'), timestamp: at, agent_id: Type.String(), reason: blockReason });
export const budgetExhaustedSchema = Type.Object({
  type: Type.Literal('budget_exhausted'), timestamp: at, scope: Type.Union([Type.Literal('agent'), Type.Literal('fleet')]),
  agent_id: nullable(Type.String()), used_tokens: Type.Integer({ minimum: 0 }), budget_tokens: Type.Integer({ minimum: 0 }), day: Type.String(),
});

export const dashboardEventSchemas = [
  taskEventSchema, leaseEventSchema, approvalEventSchema,
  dashboardAgentJoinedSchema, dashboardStatusChangedSchema, dashboardAgentLeftSchema, agentRemovedSchema,
  metricsSnapshotEventSchema, alertFiredSchema, alertClearedSchema, alertAcknowledgedSchema, rateLimitedEventSchema,
  agentBlockedSchema, agentUnblockedSchema, budgetExhaustedSchema,
  ...storageEventSchemas,
];
/** One event of the dashboard feed; `type` tells which. */
export type DashboardEvent = Static<(typeof dashboardEventSchemas)[number]>;

/** One flush of the feed: the window's events, the newest per task and per agent (web/dashboard-coalesce.ts). */
export const eventsFrameSchema = Type.Object({ type: Type.Literal('events'), data: Type.Array(Type.Union(dashboardEventSchemas)) });
