// GET /api/metrics: the reference's §9 snapshot, recomputed every 10 s from the
// OpenTelemetry recordings (runtime/metrics-snapshot-builder.ts).
export interface LatencyWindow {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}

export interface ErrorRates {
  total_tasks: number;
  failed: number;
  dead_letter: number;
  failure_rate_pct: number;
}

export interface AgentUtilisation {
  agent_id: string;
  state: string;
  idle_pct_1h: number;
  working_pct_1h: number;
  blocked_pct_1h: number;
  tasks_completed_1h: number;
  avg_task_duration_ms: number | null;
}

export interface StorageHealth {
  health_status: 'healthy' | 'degraded' | 'unknown';
  size_bytes: number | null;
  free_pages: number | null;
  last_backup_age_s: number | null;
}

export interface MetricsSnapshot {
  timestamp: number;
  window_ms: number;
  queue_depth: { current: number; trend: number[]; max_1h: number; avg_1h: number };
  /** Assign → complete, in ms. */
  task_latency: { window: LatencyWindow; cumulative: Pick<LatencyWindow, 'p50' | 'p90' | 'p99' | 'count'> };
  agent_utilization: {
    system: { total_agents: number; agents_online: number; agents_idle: number; agents_working: number; utilization_pct: number };
    per_agent: AgentUtilisation[];
  };
  error_rates: { window: ErrorRates; cumulative: ErrorRates };
  /** The reference's name for storage health. */
  dets_health: StorageHealth;
}
