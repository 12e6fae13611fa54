// One 10 s interval of hub activity, as the dashboard charts draw it (the `metrics.sampled` event and the history it keeps).
export interface MetricsSample {
  timestamp: number;
  /** Queued tasks per lane, urgent first. */
  queue_depth: [number, number, number, number];
  submitted: number;
  completed: number;
  failed: number;
  /** Queued → assigned, over the interval's assignments; null when there were none. */
  assign_latency_p50_ms: number | null;
  assign_latency_p99_ms: number | null;
  agents_connected: number;
  agents_busy: number;
  utilization_pct: number;
}
