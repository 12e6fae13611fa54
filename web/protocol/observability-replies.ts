// HTTP replies of the alert and heartbeat routes (reference §4, §9). The metrics snapshot is
// web/protocol/metrics-snapshot.ts; an alert is the dashboard's activeAlertSchema.
import { Type, type Static } from '@sinclair/typebox';
import { activeAlertSchema } from './dashboard-events.ts';

const ms = Type.Integer({ minimum: 0 });
const count = Type.Integer({ minimum: 0 });

/** GET /api/alerts: the alerts firing now. */
export const alertListSchema = Type.Object({ alerts: Type.Array(activeAlertSchema), timestamp: ms });

/** POST /api/alerts/:rule_id/acknowledge. */
export const alertAcknowledgedReplySchema = Type.Object({ status: Type.Literal('acknowledged'), rule_id: Type.String() });

/** The alert rules' settings in force (machines/alert-rules.ts AlertThresholds, which the runtime returns as this). */
export const alertThresholdsViewSchema = Type.Object({
  queue_growing_checks: count,
  failure_rate_pct: Type.Number({ minimum: 0 }),
  stuck_task_ms: ms,
  error_count_hour: count,
  check_interval_ms: ms,
  storage_free_pct: Type.Number({ minimum: 0 }),
  backup_max_age_ms: ms,
  supervisor_restarts_per_check: count,
  cooldowns: Type.Object({
    queue_growing: ms, high_failure_rate: ms, stuck_tasks: ms, no_agents_online: ms, high_error_rate: ms,
    storage_unhealthy: ms, supervisor_restarts: ms, approval_waiting: ms, agent_breaker_open: ms, daily_budget_spent: ms,
  }),
});
export type AlertThresholdsView = Static<typeof alertThresholdsViewSchema>;

/** PUT /api/config/alert-thresholds: the settings now in force, used from the next check. */
export const alertThresholdsUpdatedSchema = Type.Object({
  status: Type.Literal('updated'), effective: Type.Literal('next_check_cycle'), thresholds: alertThresholdsViewSchema,
});

/** GET and PUT /api/config/heartbeat-interval (PUT adds `status`). */
export const heartbeatIntervalReplySchema = Type.Object({ heartbeat_interval_ms: ms, status: Type.Optional(Type.Literal('updated')) });
