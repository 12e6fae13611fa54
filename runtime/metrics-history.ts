// The last hour of hub activity at 10 s resolution, for the dashboard's charts.
// Fed by hub events; sampled on a timer; published as `metrics_snapshot` events.
import type { TypedHubEvent } from './hub-events.ts';
import type { MetricsSample } from '../web/protocol/metrics-sample.ts';

export interface MetricsSources {
  queuedByLane(): [number, number, number, number];
  agentCounts(): { connected: number; busy: number };
}

export const metricsHistoryDefaults = { intervalMs: 10_000, samples: 360 } as const;

export class MetricsHistory {
  private readonly samples: MetricsSample[] = [];
  private submitted = 0;
  private completed = 0;
  private failed = 0;
  private latencies: number[] = [];

  constructor(
    private readonly sources: MetricsSources,
    private readonly capacity: number = metricsHistoryDefaults.samples,
  ) {}

  /** Counts one hub event into the current interval. */
  observe(event: TypedHubEvent): void {
    switch (event.type) {
      case 'task.submitted': this.submitted += 1; break;
      case 'task.completed': this.completed += 1; break;
      case 'task.retried': case 'task.dead_lettered': this.failed += 1; break;
      case 'task.assigned':
        if (event.latencyMs !== null) this.latencies.push(event.latencyMs);
        break;
    }
  }

  /** Closes the current interval and starts the next; returns the closed one. */
  sample(now: number): MetricsSample {
    const { connected, busy } = this.sources.agentCounts();
    const sorted = this.latencies.sort((a, b) => a - b);
    const sample: MetricsSample = {
      timestamp: now,
      queue_depth: this.sources.queuedByLane(),
      submitted: this.submitted,
      completed: this.completed,
      failed: this.failed,
      assign_latency_p50_ms: percentile(sorted, 0.5),
      assign_latency_p99_ms: percentile(sorted, 0.99),
      agents_connected: connected,
      agents_busy: busy,
      utilization_pct: connected === 0 ? 0 : Math.round((busy / connected) * 1000) / 10,
    };
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.shift();
    this.submitted = this.completed = this.failed = 0;
    this.latencies = [];
    return sample;
  }

  /** Puts back the samples kept from the last run (oldest first), so the charts survive a restart. */
  restore(samples: MetricsSample[]): void {
    this.samples.splice(0, this.samples.length, ...samples.slice(-this.capacity));
  }

  history(): MetricsSample[] {
    return [...this.samples];
  }
}

function percentile(sorted: number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}
