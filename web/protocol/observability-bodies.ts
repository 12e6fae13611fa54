// HTTP bodies of the alert thresholds and heartbeat interval settings (reference §4, §9).
import { Type, type Static } from '@sinclair/typebox';

const positiveMs = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 });
const cooldownMs = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });

/** PUT /api/config/alert-thresholds: any subset, merged over the stored value and the defaults; unknown keys are ignored. */
export const alertThresholdsSchema = Type.Object({
  queue_growing_checks: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  failure_rate_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  stuck_task_ms: Type.Optional(positiveMs),
  error_count_hour: Type.Optional(Type.Integer({ minimum: 0 })),
  check_interval_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 2 ** 31 - 1 })),
  /** Ours: storage_unhealthy fires when free map pages fall below this share of the map. */
  storage_free_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  /** Ours: backups older than this make storage unhealthy (once backups exist). */
  backup_max_age_ms: Type.Optional(positiveMs),
  /** Ours: supervisor_restarts fires when this many restarts happened since the previous check. */
  supervisor_restarts_per_check: Type.Optional(Type.Integer({ minimum: 1 })),
  cooldowns: Type.Optional(Type.Object({
    queue_growing: Type.Optional(cooldownMs),
    high_failure_rate: Type.Optional(cooldownMs),
    stuck_tasks: Type.Optional(cooldownMs),
    no_agents_online: Type.Optional(cooldownMs),
    high_error_rate: Type.Optional(cooldownMs),
    storage_unhealthy: Type.Optional(cooldownMs),
    supervisor_restarts: Type.Optional(cooldownMs),
    approval_waiting: Type.Optional(cooldownMs),
    agent_breaker_open: Type.Optional(cooldownMs),
    daily_budget_spent: Type.Optional(cooldownMs),
  }, { additionalProperties: false })),
}, { additionalProperties: true, $id: 'http/alert_thresholds' });
export type AlertThresholdsBody = Static<typeof alertThresholdsSchema>;

/** PUT /api/config/heartbeat-interval. Stored for sidecars that read it (reference: stored only). */
export const heartbeatIntervalSchema = Type.Object({ heartbeat_interval_ms: positiveMs }, { additionalProperties: true, $id: 'http/heartbeat_interval' });
export type HeartbeatIntervalBody = Static<typeof heartbeatIntervalSchema>;
