// The alert rules' vocabulary: severities, an alert as the API and dashboard show it, and the
// thresholds' defaults (the rule ids and the thresholds' schema are storage/domain/alert-thresholds.ts).
import type { AlertRuleId, AlertThresholds } from '../storage/domain/alert-thresholds.ts';

export type AlertSeverity = 'warning' | 'critical';

export interface ActiveAlert {
  rule_id: AlertRuleId;
  severity: AlertSeverity;
  message: string;
  details: Record<string, unknown>;
  fired_at: number;
  acknowledged: boolean;
}

export const alertSeverities: Record<AlertRuleId, AlertSeverity> = {
  queue_growing: 'warning',
  high_failure_rate: 'warning',
  stuck_tasks: 'critical',
  no_agents_online: 'critical',
  high_error_rate: 'warning',
  storage_unhealthy: 'critical',
  supervisor_restarts: 'warning',
  approval_waiting: 'warning',
  agent_breaker_open: 'warning',
  daily_budget_spent: 'warning',
};

/** The reference's defaults (§9), plus ours for the two added rules. */
export const defaultAlertThresholds: AlertThresholds = {
  queue_growing_checks: 3,
  failure_rate_pct: 50,
  stuck_task_ms: 300_000,
  error_count_hour: 10,
  check_interval_ms: 30_000,
  storage_free_pct: 5,
  backup_max_age_ms: 48 * 3_600_000,
  supervisor_restarts_per_check: 1,
  cooldowns: {
    queue_growing: 300_000, high_failure_rate: 600_000, stuck_tasks: 0, no_agents_online: 0, high_error_rate: 300_000,
    storage_unhealthy: 0, supervisor_restarts: 300_000, approval_waiting: 300_000, agent_breaker_open: 300_000, daily_budget_spent: 3_600_000,
  },
};

/** Stored (possibly partial) thresholds merged over the defaults. */
export function mergeThresholds(stored: Partial<Omit<AlertThresholds, 'cooldowns'>> & { cooldowns?: Partial<AlertThresholds['cooldowns']> } | undefined): AlertThresholds {
  return { ...defaultAlertThresholds, ...stored, cooldowns: { ...defaultAlertThresholds.cooldowns, ...stored?.cooldowns } };
}

/** What one check looks at, gathered by the alerter actor from the metrics and the queue. */
export interface AlertFacts {
  queueDepth: number;
  /** Over the metrics window (1 h). */
  windowTotalTasks: number;
  windowFailed: number;
  failureRatePct: number;
  /** Assigned tasks whose updated_at is older than stuck_task_ms. */
  stuckTaskIds: string[];
  totalAgents: number;
  agentsOnline: number;
  /** Empty when storage is healthy. */
  storageProblems: string[];
  /** Supervisor restarts since the hub started. */
  supervisorRestarts: number;
  /** Questions and gated tasks that waited longer than the config's approval_alert_after_ms (ids, oldest first). */
  overdueApprovals: { questionIds: string[]; taskIds: string[]; oldestWaitMs: number; afterMs: number };
  /** Fleet control: agents blocked by their breaker (consecutive failures). */
  breakerOpenAgentIds?: string[];
  /** Fleet control: daily token budgets spent today (UTC): `fleet`, `agent:<id>`. */
  spentBudgets?: string[];
}
