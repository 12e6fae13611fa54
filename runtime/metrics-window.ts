// The last hour of metrics readings (one per 10 s) and the /api/metrics snapshot
// computed from them: windows are differences between the newest reading and the one
// an hour before, so nothing is counted twice and nothing is counted outside OpenTelemetry.
import { histogramQuantile, type HistogramReading, type MetricsReading } from './metrics-reading.ts';
import type { AgentUtilisation, ErrorRates, LatencyWindow, MetricsSnapshot } from './metrics-snapshot.ts';

const metricsWindowDefaults = { windowMs: 3_600_000, trendSamples: 60 } as const;

/** The current state of each known agent and when it entered it (the running stretch not yet counted). */
export interface AgentNow {
  agentId: string;
  state: string;
  since: number | undefined;
}

export class MetricsWindow {
  private readonly readings: MetricsReading[] = [];

  constructor(private readonly windowMs: number = metricsWindowDefaults.windowMs) {}

  push(reading: MetricsReading): void {
    this.readings.push(reading);
    // Keep one reading at or before the window's start, as the baseline.
    while (this.readings.length > 2 && this.readings[1]!.at <= reading.at - this.windowMs) this.readings.shift();
  }

  /** The window's baseline: the oldest reading kept. */
  oldest(): MetricsReading | undefined {
    return this.readings[0];
  }

  latest(): MetricsReading | undefined {
    return this.readings[this.readings.length - 1];
  }

  /** The queue depths of the newest readings, oldest first. */
  queueTrend(samples: number = metricsWindowDefaults.trendSamples): number[] {
    return this.readings.slice(-samples).map((reading) => reading.queued);
  }

  snapshot(agents: readonly AgentNow[]): MetricsSnapshot | null {
    const latest = this.latest();
    if (!latest) return null;
    const base = this.readings[0]!;
    const inWindow = this.readings.filter((reading) => reading.at > latest.at - this.windowMs);
    const depths = inWindow.map((reading) => reading.queued);
    const byState = latest.agentsByState;
    const total = Object.values(byState).reduce((sum, n) => sum + n, 0);
    const online = total - (byState.offline ?? 0);
    const working = (byState.assigned ?? 0) + (byState.working ?? 0) + (byState.blocked ?? 0);
    const windowRun = base === latest ? latest.run : minusHistogram(latest.run, base.run);
    const windowSpanMs = Math.max(1, latest.at - (base === latest ? latest.at - this.windowMs : base.at));
    return {
      timestamp: latest.at,
      window_ms: this.windowMs,
      queue_depth: {
        current: latest.queued,
        trend: this.queueTrend(),
        max_1h: Math.max(...depths),
        avg_1h: round(depths.reduce((sum, n) => sum + n, 0) / depths.length),
      },
      task_latency: {
        window: latencyOf(windowRun),
        cumulative: (({ p50, p90, p99, count }) => ({ p50, p90, p99, count }))(latencyOf(latest.run)),
      },
      agent_utilization: {
        system: {
          total_agents: total, agents_online: online, agents_idle: byState.idle ?? 0, agents_working: working,
          utilization_pct: online === 0 ? 0 : round((working / online) * 100),
        },
        per_agent: agents.map((agent) => perAgent(agent, latest, base === latest ? undefined : base, windowSpanMs)),
      },
      error_rates: {
        window: ratesOf(latest.completed - (base === latest ? 0 : base.completed), latest.failed - (base === latest ? 0 : base.failed),
          latest.deadLettered - (base === latest ? 0 : base.deadLettered)),
        cumulative: ratesOf(latest.completed, latest.failed, latest.deadLettered),
      },
      dets_health: {
        health_status: latest.storageSizeBytes === null ? 'unknown' : 'healthy',
        size_bytes: latest.storageSizeBytes,
        free_pages: latest.storageFreePages,
        last_backup_age_s: latest.lastBackupAgeSeconds,
      },
    };
  }
}

function perAgent(agent: AgentNow, latest: MetricsReading, base: MetricsReading | undefined, windowSpanMs: number): AgentUtilisation {
  const now = latest.perAgent.get(agent.agentId);
  const before = base?.perAgent.get(agent.agentId);
  const seconds = (state: string) => {
    let value = (now?.stateSeconds[state] ?? 0) - (before?.stateSeconds[state] ?? 0);
    if (agent.state === state && agent.since !== undefined) value += Math.max(0, latest.at - Math.max(agent.since, latest.at - windowSpanMs)) / 1000;
    return value;
  };
  const spanS = windowSpanMs / 1000;
  const pct = (value: number) => round(Math.min(100, (value / spanS) * 100));
  const completed = (now?.completed ?? 0) - (before?.completed ?? 0);
  const runSeconds = (now?.runSeconds ?? 0) - (before?.runSeconds ?? 0);
  return {
    agent_id: agent.agentId,
    state: agent.state,
    idle_pct_1h: pct(seconds('idle')),
    working_pct_1h: pct(seconds('assigned') + seconds('working')),
    blocked_pct_1h: pct(seconds('blocked')),
    tasks_completed_1h: completed,
    avg_task_duration_ms: completed > 0 ? Math.round((runSeconds / completed) * 1000) : null,
  };
}

function minusHistogram(a: HistogramReading, b: HistogramReading): HistogramReading {
  if (b.counts.length !== a.counts.length) return a;
  // min and max cannot be subtracted; the cumulative ones bound the window's.
  return { ...a, count: a.count - b.count, sum: a.sum - b.sum, counts: a.counts.map((n, i) => n - b.counts[i]!) };
}

function latencyOf(run: HistogramReading): LatencyWindow {
  const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000));
  // Interpolating inside a bucket can land outside what was seen: the recorded min and max bound it.
  const quantile = (q: number) => {
    const value = histogramQuantile(run.boundaries, run.counts, q);
    return value === null ? null : Math.min(run.max ?? Infinity, Math.max(run.min ?? -Infinity, value));
  };
  return {
    p50: ms(quantile(0.5)),
    p90: ms(quantile(0.9)),
    p99: ms(quantile(0.99)),
    count: run.count,
    min: run.count === 0 ? null : ms(run.min),
    max: run.count === 0 ? null : ms(run.max),
    mean: run.count === 0 ? null : Math.round((run.sum / run.count) * 1000),
  };
}

function ratesOf(completed: number, failed: number, deadLetter: number): ErrorRates {
  const total = completed + failed;
  return { total_tasks: total, failed, dead_letter: deadLetter, failure_rate_pct: total === 0 ? 0 : round((failed / total) * 100) };
}

const round = (value: number) => Math.round(value * 10) / 10;
