// One collection of the OpenTelemetry recordings, reduced to what the /api/metrics
// snapshot and the alerter read: counter totals, gauges, the run-time histogram, and
// the per-agent counters. Cumulative, so a window is the difference of two readings.
import type { Attributes } from '@opentelemetry/api';
import type { Histogram, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { metricCatalogue as m } from './metric-catalogue.ts';

export interface HistogramReading {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  boundaries: number[];
  counts: number[];
}

export interface AgentReading {
  completed: number;
  runSeconds: number;
  stateSeconds: Record<string, number>;
}

export interface MetricsReading {
  at: number;
  queued: number;
  submitted: number;
  completed: number;
  failed: number;
  deadLettered: number;
  agentsByState: Record<string, number>;
  run: HistogramReading;
  perAgent: Map<string, AgentReading>;
  storageSizeBytes: number | null;
  storageFreePages: number | null;
  lastBackupAgeSeconds: number | null;
  supervisorRestarts: number;
}

export function readMetrics(collected: ResourceMetrics, at: number): MetricsReading {
  const byName = new Map<string, MetricData>();
  for (const scope of collected.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  const points = (name: string) => (byName.get(name)?.dataPoints ?? []) as Array<{ value: unknown; attributes: Attributes }>;
  const total = (name: string) => points(name).reduce((sum, point) => sum + (point.value as number), 0);
  const single = (name: string) => {
    const [point] = points(name);
    return point ? (point.value as number) : null;
  };
  const agentsByState: Record<string, number> = {};
  for (const point of points(m.agents.name)) agentsByState[String(point.attributes.state)] = point.value as number;
  const perAgent = new Map<string, AgentReading>();
  const agent = (id: string) => {
    let reading = perAgent.get(id);
    if (!reading) perAgent.set(id, (reading = { completed: 0, runSeconds: 0, stateSeconds: {} }));
    return reading;
  };
  for (const point of points(m.agentTasksCompleted.name)) agent(String(point.attributes.agent_id)).completed = point.value as number;
  for (const point of points(m.agentTaskRunTime.name)) agent(String(point.attributes.agent_id)).runSeconds = point.value as number;
  for (const point of points(m.agentStateTime.name)) {
    agent(String(point.attributes.agent_id)).stateSeconds[String(point.attributes.state)] = point.value as number;
  }
  const [runPoint] = points(m.taskRun.name);
  const histogram = runPoint?.value as Histogram | undefined;
  return {
    at,
    queued: total(m.queueDepth.name),
    submitted: total(m.tasksSubmitted.name),
    completed: total(m.tasksCompleted.name),
    failed: total(m.tasksFailed.name),
    deadLettered: total(m.tasksDeadLettered.name),
    agentsByState,
    run: histogram
      ? { count: histogram.count, sum: histogram.sum ?? 0, min: histogram.min ?? null, max: histogram.max ?? null, boundaries: [...histogram.buckets.boundaries], counts: [...histogram.buckets.counts] }
      : { count: 0, sum: 0, min: null, max: null, boundaries: [], counts: [] },
    perAgent,
    storageSizeBytes: single(m.storageSize.name),
    storageFreePages: single(m.storageFreePages.name),
    lastBackupAgeSeconds: single(m.lastBackupAge.name),
    supervisorRestarts: total(m.supervisorRestarts.name),
  };
}

/** A quantile from histogram bucket counts, interpolated inside its bucket (as Prometheus's histogram_quantile). */
export function histogramQuantile(boundaries: readonly number[], counts: readonly number[], quantile: number): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = quantile * total;
  let seen = 0;
  for (let index = 0; index < counts.length; index += 1) {
    const inBucket = counts[index]!;
    if (seen + inBucket >= rank && inBucket > 0) {
      const lower = index === 0 ? 0 : boundaries[index - 1]!;
      const upper = index < boundaries.length ? boundaries[index]! : lower;
      return lower + (upper - lower) * ((rank - seen) / inBucket);
    }
    seen += inBucket;
  }
  return boundaries[boundaries.length - 1] ?? null;
}
