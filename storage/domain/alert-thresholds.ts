// The alert rules' ids and their thresholds, declared once as a schema: the alerter machine
// reads them (machines/alert-rules.ts has their defaults), and the API takes any subset of them
// and answers with the ones in force (web/protocol/observability-bodies.ts, -replies.ts), so
// their type is this schema's and the limits a PUT is held to are the ones stated here.
import { Type, type Static } from '@sinclair/typebox';

export const alertRuleIds = [
  'queue_growing', 'high_failure_rate', 'stuck_tasks', 'no_agents_online', 'high_error_rate',
  'storage_unhealthy', 'supervisor_restarts', 'approval_waiting', 'agent_breaker_open', 'daily_budget_spent',
] as const;
export type AlertRuleId = (typeof alertRuleIds)[number];

/** A timer's longest delay: setTimeout fires at once past 2^31 - 1 ms. */
const maxTimerMs = 2 ** 31 - 1;
const positiveMs = Type.Integer({ minimum: 1, maximum: maxTimerMs });
const cooldownMs = Type.Integer({ minimum: 0, maximum: maxTimerMs });

/** How long each rule stays quiet after it fired, ms; 0 fires again at every check. */
export const alertCooldownsSchema = Type.Object(
  Object.fromEntries(alertRuleIds.map((ruleId) => [ruleId, cooldownMs])) as Record<AlertRuleId, typeof cooldownMs>,
  { additionalProperties: false },
);

export const alertThresholdsSchema = Type.Object({
  queue_growing_checks: Type.Integer({ minimum: 1, maximum: 1000 }),
  failure_rate_pct: Type.Number({ minimum: 0, maximum: 100 }),
  stuck_task_ms: positiveMs,
  error_count_hour: Type.Integer({ minimum: 0 }),
  check_interval_ms: Type.Integer({ minimum: 100, maximum: maxTimerMs }),
  /** Ours: storage is unhealthy when the data folder's disk has less than this share free. */
  storage_free_pct: Type.Number({ minimum: 0, maximum: 100 }),
  /** Ours: storage is unhealthy when the newest good backup is older (once backups exist). */
  backup_max_age_ms: positiveMs,
  /** Ours: supervisor_restarts fires at this many restarts since the previous check. */
  supervisor_restarts_per_check: Type.Integer({ minimum: 1 }),
  cooldowns: alertCooldownsSchema,
});
export type AlertThresholds = Static<typeof alertThresholdsSchema>;
