// The hub's event bus: one typed union of dotted event names, one ordered stream.
// Metrics, the dashboard feed (through runtime/wire-events.ts), the alerter, presence
// and the logs all subscribe here; nothing else carries lifecycle news.
import type { LifecycleEvents } from '../actors/lifecycle-events.ts';
import type { ActiveAlert } from '../machines/alert-rules.ts';
import type { MetricsSample } from '../web/protocol/metrics-sample.ts';
import type { MetricsSnapshot } from './metrics-snapshot.ts';
import type { ApprovalView } from '../web/ports/approvals-port.ts';
import type { StorageEventFrame } from '../web/protocol/storage-events.ts';
import type { AgentView } from '../storage/domain/agent-view.ts';
import type { PathLease } from '../storage/path-lease-table.ts';
import type { TaskRecord } from '../storage/task-record.ts';

export interface HubEventMap extends LifecycleEvents {
  /** A 10 s interval closed: the charts' sample and the recomputed /api/metrics snapshot. */
  'metrics.sampled': { sample: MetricsSample; snapshot: MetricsSnapshot | null };
  'alert.fired': { alert: ActiveAlert };
  'alert.cleared': { ruleId: string };
  'alert.acknowledged': { ruleId: string };
  /** Backups, compaction and recovery (runtime/storage-ops.ts): `frame` is the reference's dashboard event as sent. */
  'storage.reported': { frame: StorageEventFrame };
  /** A token bucket denied an action (reference §8); the agent rests from scheduling for a minute. */
  'rate.limited': { key: string; agentId: string | null; channel: string; tier: string; retryAfterMs: number; repeated: boolean };
  /** An agent asked a question mid-task (runtime/approvals.ts). */
  'approval.asked': { approval: ApprovalView };
  /** An operator answered it; `waitedMs` since it was asked. */
  'approval.answered': { approval: ApprovalView; waitedMs: number };
  /** Closed unanswered: its task ended (completed, failed, reclaimed, cancelled). */
  'approval.closed': { approval: ApprovalView };
  /** An operator moved a queued, delayed or waiting task to another lane (`from` is the lane it left). */
  'task.reprioritised': { task: TaskRecord; from: number };
  /** An agent took an extra path lease over its socket. */
  'lease.acquired': { lease: PathLease };
  /** An agent's lease request was refused: `holder` overlaps it. */
  'lease.denied': { taskId: string; agentId: string; paths: string[]; holder: PathLease };
  /** An agent released an extra lease (leases that end with their assignment follow the task events). */
  'lease.released': { lease: PathLease };
  /** A daily token budget (one agent's, or the fleet's) is spent for this UTC day: dispatch stops for it until 00:00 UTC. */
  'budget.exhausted': { scope: 'agent' | 'fleet'; agentId: string | null; usedTokens: number; budgetTokens: number; day: string };
  /** On a cluster of hubs: an agent of another hub appeared or changed (runtime/cluster-agent-feed.ts). */
  'cluster.agent_seen': { agent: AgentView };
  /** On a cluster of hubs: an agent is no longer on another hub (nor on this one). */
  'cluster.agent_gone': { agentId: string };
}

export type HubEventName = keyof HubEventMap;
type HubEventOf<K extends HubEventName> = { type: K; at: number } & HubEventMap[K];
export type TypedHubEvent = { [K in HubEventName]: HubEventOf<K> }[HubEventName];
type HubEventListener = (event: TypedHubEvent) => void;

/** Every event name with what it means; a Record, so adding a name without a line here fails to compile. */
export const hubEventMeanings: Record<HubEventName, string> = {
  'task.submitted': 'a task was submitted and entered its lane',
  'task.delayed': 'a task was submitted to run later (not_before in the future)',
  'task.queued': 'a delayed task came due and entered its lane',
  'task.assigned': 'a task was durably assigned to an agent (claimed from its lane, or pushed by an operator)',
  'task.accepted': 'the agent accepted its task',
  'task.completed': 'the agent completed its task',
  'task.retried': 'the agent failed its task and the task went back to its lane to be retried',
  'task.dead_lettered': 'the agent failed its task with no retries left',
  'task.reclaimed': 'the hub took a task back from its agent (disconnect, timeouts, rejection)',
  'task.cancelled': 'an operator cancelled a task',
  'task.requeued': 'an operator retried a dead letter',
  'task.waiting': 'a task was submitted with unfinished dependencies and waits outside every lane',
  'task.dependency_settled': 'a dependency settled and moved a waiting task (released into its lane, failed, cancelled or waiting again)',
  'task.awaiting_approval': 'a task was submitted with requires_approval and waits for an operator outside every lane',
  'task.approved': 'an operator approved a gated task; it went on to its dependencies, delay or lane',
  'task.rejected': 'an operator rejected a gated task; it is cancelled with reason rejected',
  'cluster.agent_seen': 'an agent connected to another hub of the cluster appeared or changed (seen in that hub\'s lease)',
  'cluster.agent_gone': 'an agent left another hub of the cluster (or that hub\'s lease ran out), and is not on this hub',
  'approval.asked': 'an agent asked a question mid-task (approval_request); it waits in the approvals inbox',
  'approval.answered': 'an operator answered an agent\'s question; the answer travels to the sidecar as approval_answer',
  'approval.closed': 'a question was closed unanswered because its task ended',
  'agent.joined': 'an agent socket identified',
  'agent.left': 'an agent\'s socket closed',
  'agent.removed': 'an operator revoked an agent\'s tokens and it left the board',
  'agent.state_changed': 'an agent machine changed state',
  'agent.status_changed': 'an agent reported a new free-text status',
  'metrics.sampled': 'a 10 s interval closed: chart sample and /api/metrics snapshot recomputed',
  'alert.fired': 'an alert rule fired (or re-fired)',
  'alert.cleared': 'an alert\'s condition ended',
  'alert.acknowledged': 'an operator acknowledged an alert',
  'storage.reported': 'a backup, compaction or storage recovery finished or failed',
  'rate.limited': 'a token bucket denied an agent or client an action',
  'task.reprioritised': 'an operator moved a queued, delayed or waiting task to another lane',
  'lease.acquired': 'an agent took an extra path lease for its task',
  'lease.denied': 'an agent asked for a path lease that overlaps another task\'s lease',
  'lease.released': 'an agent released an extra path lease',
  'agent.blocked': 'an agent became blocked: its breaker tripped, or its provider rate-limited it (parked with its task)',
  'agent.unblocked': 'an agent\'s block lifted (operator, breaker cooldown, or the rate limit passed)',
  'task.budget_exceeded': 'a task passed its budget_tokens: dead-lettered, its agent told to stop',
  'task.no_progress': 'a task\'s progress reports showed no change for no_progress_after_ms',
  'budget.exhausted': 'a daily token budget (an agent\'s or the fleet\'s) is spent: dispatch stops for it until 00:00 UTC',
};

export const hubEventNames = Object.keys(hubEventMeanings) as HubEventName[];

export class HubEvents {
  private listeners: HubEventListener[] = [];

  emit<K extends HubEventName>(type: K, at: number, fields: HubEventMap[K]): void {
    const listeners = this.listeners;
    if (listeners.length === 0) return;
    const event = { type, at, ...fields } as TypedHubEvent;
    for (let i = 0; i < listeners.length; i += 1) listeners[i]!(event);
  }

  subscribe(listener: HubEventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((each) => each !== listener);
    };
  }
}
