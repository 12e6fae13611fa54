// Dashboard state: the snapshot the dashboard gets, the charts' samples, the storage
// write fault /health reports, and the hub's events as the dashboard feed's frames.
import type { ActorSnapshots } from '../../storage/actor-snapshots.ts';
import type { StoragePort } from '../../web/storage-port.ts';
import type { RateLimiter } from '../../web/rate-limits/rate-limiter.ts';
import type { DashboardPort, StorageWriteFault } from '../../web/ports/dashboard-port.ts';
import type { DashboardEvent } from '../../web/protocol/dashboard-events.ts';
import type { HubAbout } from '../../web/ports/hub-services.ts';
import type { FleetControl } from '../fleet-control.ts';
import type { HubEvents } from '../hub-events.ts';
import { metricsHistoryDefaults, type MetricsHistory } from '../metrics-history.ts';
import type { MetricsSample } from '../../web/protocol/metrics-sample.ts';
import type { MetricsSnapshot } from '../metrics-snapshot.ts';
import { toWireEvent } from '../wire-events.ts';
import type { AgentSessions } from './agent-sessions.ts';
import type { ApprovalService } from './approval-service.ts';
import type { TaskService } from './task-service.ts';
import type { AgentRegistry } from '../../actors/agent-registry.ts';

export interface DashboardStateDeps {
  about: HubAbout;
  agents: AgentRegistry;
  sessions: AgentSessions;
  tasks: TaskService;
  approvals: ApprovalService;
  fleet: FleetControl;
  metrics: MetricsHistory;
  events: HubEvents;
  rateLimiter: RateLimiter;
  storage: StoragePort | null;
  now: () => number;
  /** Bytes the data file takes on disk, for the dashboard's storage health. */
  storageSize?: () => number;
  /** The last write the store could not commit (disk or map full), until one succeeds. */
  storageWriteFault?: () => StorageWriteFault | null;
  /** Where the charts' samples are kept across restarts; absent in hubs built without it. */
  snapshots?: ActorSnapshots;
  /** This hub's name on a cluster of hubs, so its own agents' events keep their badge; absent on one hub. */
  hubName?: string;
}

export class DashboardState implements DashboardPort {
  constructor(private readonly deps: DashboardStateDeps) {}

  dashboardState(): ReturnType<DashboardPort['dashboardState']> {
    const { about, agents, sessions, tasks, approvals, fleet, metrics, storage, rateLimiter } = this.deps;
    const now = this.deps.now();
    return {
      uptime_ms: now - about.startedAt,
      timestamp: now,
      version: about.version,
      health: { status: storage?.degradedReasons().length ? 'degraded' : 'ok', agents_connected: agents.connectedCount(), agents_known: agents.size },
      agents: sessions.listAgents(),
      ...(this.deps.hubName ? { hub_name: this.deps.hubName } : {}),
      queue: tasks.taskStats(),
      dead_letter_tasks: tasks.listDeadLetters({ limit: 50 }).tasks,
      recent_completions: tasks.listTasks({ status: 'completed', limit: 20 }).tasks,
      series: metrics.history(),
      storage: this.deps.storageSize ? { size_bytes: this.deps.storageSize() } : null,
      ...(storage ? { dets_health: storage.health(), compaction_history: storage.compactionHistory() } : {}),
      rate_limits: rateLimiter.view(),
      approvals: approvals.listApprovals('pending', 100),
      fleet_control: { providers: fleet.providersView(), budgets: fleet.budgetsView() },
    };
  }

  storageWriteFault(): StorageWriteFault | null {
    return this.deps.storageWriteFault?.() ?? null;
  }

  /** Closes a metrics interval and publishes it, with the /api/metrics snapshot when there is one, to the dashboard feed. */
  sampleMetrics(snapshot: MetricsSnapshot | null = null): void {
    const now = this.deps.now();
    const sample: MetricsSample = this.deps.metrics.sample(now);
    this.deps.snapshots?.addSample(sample, now - metricsHistoryDefaults.intervalMs * metricsHistoryDefaults.samples);
    this.deps.events.emit('metrics.sampled', now, { sample, snapshot });
  }

  onEvent(listener: (event: DashboardEvent) => void): () => void {
    return this.deps.events.subscribe((event) => {
      const frame = toWireEvent(event);
      if (frame) listener(frame);
    });
  }
}
