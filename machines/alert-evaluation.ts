// The alert rules, decided in one pure function: given the last check's state, the
// facts and the thresholds, which alerts fire, re-fire, stay quiet or clear.
import { alertRuleIds, type AlertRuleId, type AlertThresholds } from '../storage/domain/alert-thresholds.ts';
import { alertSeverities, type ActiveAlert, type AlertFacts } from './alert-rules.ts';

export interface AlerterState {
  active: Partial<Record<AlertRuleId, ActiveAlert>>;
  /** When each rule last fired (kept after it clears, so a warning's cooldown outlives a flap). */
  lastFiredAt: Partial<Record<AlertRuleId, number>>;
  previousQueueDepth: number | null;
  risingChecks: number;
  stableChecks: number;
  previousRestarts: number | null;
}

export type AlertChange =
  | { kind: 'fired'; alert: ActiveAlert }
  | { kind: 'cleared'; ruleId: AlertRuleId }
  | { kind: 'acknowledged'; ruleId: AlertRuleId };

export const initialAlerterState: AlerterState = {
  active: {}, lastFiredAt: {}, previousQueueDepth: null, risingChecks: 0, stableChecks: 0, previousRestarts: null,
};

/** Checks after which a queue that stopped rising clears queue_growing. */
const stableChecksToClear = 3;

export function evaluateAlerts(state: AlerterState, facts: AlertFacts, thresholds: AlertThresholds, now: number): { state: AlerterState; changes: AlertChange[] } {
  const rising = state.previousQueueDepth !== null && facts.queueDepth > state.previousQueueDepth;
  const risingChecks = rising ? state.risingChecks + 1 : 0;
  const stableChecks = rising ? 0 : state.stableChecks + 1;
  const newRestarts = state.previousRestarts === null ? 0 : facts.supervisorRestarts - state.previousRestarts;

  /** Whether each rule's condition holds now, and what the alert says; `undefined` keeps the current alert (queue_growing's hysteresis). */
  const conditions: Record<AlertRuleId, { message: string; details: Record<string, unknown> } | null | undefined> = {
    queue_growing: risingChecks >= thresholds.queue_growing_checks
      ? { message: `queue grew on ${risingChecks} checks in a row (now ${facts.queueDepth})`, details: { queue_depth: facts.queueDepth, rising_checks: risingChecks } }
      : state.active.queue_growing && stableChecks < stableChecksToClear ? undefined : null,
    high_failure_rate: facts.windowTotalTasks > 0 && facts.failureRatePct > thresholds.failure_rate_pct
      ? { message: `${facts.failureRatePct}% of tasks failed in the last hour`, details: { failure_rate_pct: facts.failureRatePct, total_tasks: facts.windowTotalTasks, threshold: thresholds.failure_rate_pct } }
      : null,
    stuck_tasks: facts.stuckTaskIds.length > 0
      ? { message: `${facts.stuckTaskIds.length} assigned task(s) without an update for over ${thresholds.stuck_task_ms} ms`, details: { task_ids: facts.stuckTaskIds.slice(0, 50), count: facts.stuckTaskIds.length } }
      : null,
    no_agents_online: facts.agentsOnline === 0 && facts.totalAgents > 0
      ? { message: `no agents online (${facts.totalAgents} known)`, details: { total_agents: facts.totalAgents } }
      : null,
    high_error_rate: facts.windowFailed > thresholds.error_count_hour
      ? { message: `${facts.windowFailed} task failures in the last hour`, details: { failed: facts.windowFailed, threshold: thresholds.error_count_hour } }
      : null,
    storage_unhealthy: facts.storageProblems.length > 0
      ? { message: `storage unhealthy: ${facts.storageProblems.join(', ')}`, details: { problems: facts.storageProblems } }
      : null,
    agent_breaker_open: facts.breakerOpenAgentIds?.length
      ? { message: `${facts.breakerOpenAgentIds.length} agent(s) blocked by their breaker: ${facts.breakerOpenAgentIds.slice(0, 10).join(', ')}`, details: { agent_ids: facts.breakerOpenAgentIds.slice(0, 50), count: facts.breakerOpenAgentIds.length } }
      : null,
    daily_budget_spent: facts.spentBudgets?.length
      ? { message: `daily token budget spent (dispatch stopped until 00:00 UTC): ${facts.spentBudgets.slice(0, 10).join(', ')}`, details: { budgets: facts.spentBudgets.slice(0, 50), count: facts.spentBudgets.length } }
      : null,
    supervisor_restarts: newRestarts >= thresholds.supervisor_restarts_per_check
      ? { message: `${newRestarts} supervisor restart(s) since the last check`, details: { restarts: newRestarts, total: facts.supervisorRestarts } }
      : null,
    approval_waiting: approvalWaiting(facts.overdueApprovals),
  };

  const active = { ...state.active };
  const lastFiredAt = { ...state.lastFiredAt };
  const changes: AlertChange[] = [];
  for (const ruleId of alertRuleIds) {
    const condition = conditions[ruleId];
    const current = active[ruleId];
    if (condition === undefined) continue;
    if (condition === null) {
      if (current) {
        delete active[ruleId];
        changes.push({ kind: 'cleared', ruleId });
      }
      continue;
    }
    if (current?.acknowledged) continue;
    const severity = alertSeverities[ruleId];
    const last = lastFiredAt[ruleId];
    const coolingDown = severity === 'warning' && last !== undefined && now - last < thresholds.cooldowns[ruleId];
    if (current && coolingDown) continue;
    if (!current && coolingDown) continue;
    const alert: ActiveAlert = {
      rule_id: ruleId, severity, message: condition.message, details: condition.details,
      fired_at: current?.fired_at ?? now, acknowledged: false,
    };
    active[ruleId] = alert;
    lastFiredAt[ruleId] = now;
    changes.push({ kind: 'fired', alert });
  }
  return {
    state: { active, lastFiredAt, previousQueueDepth: facts.queueDepth, risingChecks, stableChecks, previousRestarts: facts.supervisorRestarts },
    changes,
  };
}

/** An unanswered question or a gated task waited past approval_alert_after_ms: a person is needed. */
function approvalWaiting(overdue: AlertFacts['overdueApprovals']): { message: string; details: Record<string, unknown> } | null {
  const { questionIds, taskIds, oldestWaitMs, afterMs } = overdue;
  if (questionIds.length === 0 && taskIds.length === 0) return null;
  return {
    message: `${questionIds.length} question(s) and ${taskIds.length} task(s) waited over ${afterMs} ms for an operator (oldest ${Math.round(oldestWaitMs / 1000)} s)`,
    details: { question_ids: questionIds.slice(0, 50), task_ids: taskIds.slice(0, 50), questions: questionIds.length, tasks: taskIds.length, oldest_wait_ms: oldestWaitMs, after_ms: afterMs },
  };
}

/** Acknowledges an active alert; null when the rule has none. */
export function acknowledgeAlert(state: AlerterState, ruleId: string): { state: AlerterState; changes: AlertChange[] } | null {
  const current = state.active[ruleId as AlertRuleId];
  if (!current) return null;
  if (current.acknowledged) return { state, changes: [] };
  return {
    state: { ...state, active: { ...state.active, [ruleId]: { ...current, acknowledged: true } } },
    changes: [{ kind: 'acknowledged', ruleId: current.rule_id }],
  };
}
