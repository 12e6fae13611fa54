// GET /api/metrics: the reference's §9 snapshot, recomputed every 10 s from the
// OpenTelemetry recordings (runtime/metrics-window.ts), and carried whole by the dashboard's
// metrics_snapshot event. runtime/metrics-snapshot.ts takes its types from here.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const count = Type.Integer({ minimum: 0 });
const at = Type.Integer({ minimum: 0 });

export const latencyWindowSchema = Type.Object({
  p50: nullable(Type.Number()),
  p90: nullable(Type.Number()),
  p99: nullable(Type.Number()),
  count,
  min: nullable(Type.Number()),
  max: nullable(Type.Number()),
  mean: nullable(Type.Number()),
});
export type LatencyWindow = Static<typeof latencyWindowSchema>;

export const errorRatesSchema = Type.Object({
  total_tasks: count,
  failed: count,
  dead_letter: count,
  failure_rate_pct: Type.Number(),
});
export type ErrorRates = Static<typeof errorRatesSchema>;

export const agentUtilisationSchema = Type.Object({
  agent_id: Type.String(),
  state: Type.String(),
  idle_pct_1h: Type.Number(),
  working_pct_1h: Type.Number(),
  blocked_pct_1h: Type.Number(),
  tasks_completed_1h: count,
  avg_task_duration_ms: nullable(Type.Number()),
});
export type AgentUtilisation = Static<typeof agentUtilisationSchema>;

/** The reference's name and its short storage summary (GET /api/admin/storage-health has the whole). */
export const metricsStorageHealthSchema = Type.Object({
  health_status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unknown')]),
  size_bytes: nullable(count),
  free_pages: nullable(count),
  last_backup_age_s: nullable(Type.Number()),
});

export const metricsSnapshotSchema = Type.Object({
  timestamp: at,
  window_ms: count,
  queue_depth: Type.Object({ current: count, trend: Type.Array(Type.Number()), max_1h: Type.Number(), avg_1h: Type.Number() }),
  /** Assign → complete, in ms. */
  task_latency: Type.Object({
    window: latencyWindowSchema,
    cumulative: Type.Object({ p50: latencyWindowSchema.properties.p50, p90: latencyWindowSchema.properties.p90, p99: latencyWindowSchema.properties.p99, count }),
  }),
  agent_utilization: Type.Object({
    system: Type.Object({ total_agents: count, agents_online: count, agents_idle: count, agents_working: count, utilization_pct: Type.Number() }),
    per_agent: Type.Array(agentUtilisationSchema),
  }),
  error_rates: Type.Object({ window: errorRatesSchema, cumulative: errorRatesSchema }),
  /** The reference's name for storage health. */
  dets_health: metricsStorageHealthSchema,
});
export type MetricsSnapshot = Static<typeof metricsSnapshotSchema>;

/** GET /api/metrics before the first reading: only the time and the window. */
export const metricsPendingSchema = Type.Object({ timestamp: at, window_ms: count });

export const metricsReplySchema = Type.Union([metricsSnapshotSchema, metricsPendingSchema]);
export type MetricsReply = Static<typeof metricsReplySchema>;
