// One 10 s interval of hub activity, as the dashboard charts draw it (the `metrics.sampled` event and the history it keeps).
import { Type, type Static } from '@sinclair/typebox';

const count = Type.Integer({ minimum: 0 });
const latency = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);

export const metricsSampleSchema = Type.Object({
  timestamp: Type.Integer({ minimum: 0 }),
  /** Queued tasks per lane, urgent first. */
  queue_depth: Type.Tuple([count, count, count, count]),
  submitted: count,
  completed: count,
  failed: count,
  /** Queued → assigned, over the interval's assignments; null when there were none. */
  assign_latency_p50_ms: latency,
  assign_latency_p99_ms: latency,
  agents_connected: count,
  agents_busy: count,
  utilization_pct: Type.Number({ minimum: 0 }),
});
export type MetricsSample = Static<typeof metricsSampleSchema>;
