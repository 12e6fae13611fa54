// The shapes the page reads. Types only, taken from the hub's own sources so they cannot drift.
import type { AgentView } from '../../../storage/domain/agent-view.ts';
import type { HubEvent } from '../../ports/dashboard-port.ts';
import type { ProviderView } from '../../ports/fleet-port.ts';
import type { TaskLinks } from '../../ports/task-port.ts';
import type { Task, TaskHistoryEntry } from '../../../storage/domain/task.ts';
import type { MetricsSample } from '../../protocol/metrics-sample.ts';

export type { AgentView, HubEvent, MetricsSample, Task, TaskHistoryEntry };

export interface QueueStats {
  by_status: Record<string, number>;
  /** Queued tasks per lane, "0" (urgent) … "3" (low). */
  by_priority: Record<string, number>;
  dead_letter: number;
  queued_index_size: number;
}

/** An alert as the feed carries it (alert_fired / the snapshot's active alerts). */
export interface Alert {
  rule_id: string;
  severity: string;
  message: string;
  details?: unknown;
  fired_at: number;
  acknowledged: boolean;
}

/** GET /api/dashboard/state and the `snapshot` frame's data. Optional fields are shown when the hub sends them. */
export interface DashboardSnapshot {
  uptime_ms: number;
  timestamp: number;
  version: string;
  transport?: string;
  storage?: { size_bytes?: number; fragmentation_ratio?: number; last_backup_at?: number | null; status?: string };
  health: { status: string; agents_connected: number; agents_known: number };
  agents: AgentView[];
  /** This hub's name, on a cluster of hubs (engine jetstream). */
  hub_name?: string;
  queue: QueueStats;
  dead_letter_tasks: Task[];
  recent_completions: Task[];
  series: MetricsSample[];
  active_alerts?: Alert[];
  dets_health?: StorageHealth;
  compaction_history?: CompactionRun[];
  rate_limits?: { limited: RateLimited[] };
  /** Fleet control: provider caps and usage, daily budgets (null without a ledger). */
  fleet_control?: { providers: ProviderView[]; budgets: unknown };
}

/** GET /api/admin/storage-health, as the snapshot's `dets_health`. */
export interface StorageHealth {
  health_status: string;
  last_backup_at: number | null;
  storage: { file_size_bytes: number; fragmentation: number } | null;
  reasons: string[];
}

export interface CompactionRun {
  status: string;
  finished_at: number;
  duration_ms: number;
}

export interface TaskPage {
  tasks: Task[];
  count: number;
  next_cursor: number | null;
}

/** A dependency or dependent as GET /api/tasks/:id lists it. */
export interface TaskLink {
  task_id: string;
  status: string;
}

/** GET /api/tasks/:id: the task plus its place in a workflow and its path leases. */
export type TaskDetail = Task & {
  dependencies?: TaskLink[]; dependents?: TaskLink[]; waiting_for?: number | null;
  leases?: TaskLinks['leases']; waiting_for_lease?: TaskLinks['waiting_for_lease'];
};

export const laneNames = ['urgent', 'high', 'normal', 'low'] as const;

/** One bucket key denied in the last minute (`agent:<id>`, `ip:<address>`). */
export interface RateLimited {
  key: string;
  agent_id: string | null;
  tier: string;
  channel: string;
  retry_after_ms: number;
  denied_at: number;
  denials: number;
}
