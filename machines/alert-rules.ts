// The alert rules' vocabulary: ids, severities, and an alert as the API and dashboard show it.
export const alertRuleIds = [
  'queue_growing', 'high_failure_rate', 'stuck_tasks', 'no_agents_online', 'high_error_rate',
  'storage_unhealthy', 'supervisor_restarts',
] as const;
export type AlertRuleId = (typeof alertRuleIds)[number];
export type AlertSeverity = 'warning' | 'critical';

export interface ActiveAlert {
  rule_id: AlertRuleId;
  severity: AlertSeverity;
  message: string;
  details: Record<string, unknown>;
  fired_at: number;
  acknowledged: boolean;
}
