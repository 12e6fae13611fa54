// The one place typed hub events become the dashboard's wire frames. The names on the
// wire are the reference's (task_event, agent_joined, status_changed, metrics_snapshot,
// alert_fired…), which the original clients and our dashboard read.
import { viewOf } from '../actors/agent-registry.ts';
import type { DashboardEvent } from '../web/protocol/dashboard-events.ts';
import type { HubEventName, TypedHubEvent } from './hub-events.ts';

/** The `event` field of a `task_event` frame for each task event. */
const taskEventWireNames = {
  'task.submitted': 'submitted',
  'task.delayed': 'delayed',
  'task.queued': 'queued',
  'task.assigned': 'assigned',
  'task.accepted': 'accepted',
  'task.completed': 'completed',
  'task.retried': 'retry',
  'task.dead_lettered': 'dead_letter',
  'task.reclaimed': 'reclaimed',
  'task.cancelled': 'cancelled',
  'task.requeued': 'requeued',
  'task.waiting': 'waiting',
  'task.awaiting_approval': 'awaiting_approval',
  'task.approved': 'approved',
  'task.rejected': 'rejected',
  'task.reprioritised': 'reprioritised',
} as const satisfies Partial<Record<HubEventName, string>>;

const approvalEventWireNames = { 'approval.asked': 'asked', 'approval.answered': 'answered', 'approval.closed': 'closed' } as const;

/** The frame for a hub event, or null for events the dashboard does not get. */
export function toWireEvent(event: TypedHubEvent): DashboardEvent | null {
  const timestamp = event.at;
  switch (event.type) {
    case 'task.submitted': case 'task.delayed': case 'task.queued': case 'task.accepted': case 'task.completed':
    case 'task.retried': case 'task.dead_lettered': case 'task.cancelled': case 'task.requeued':
    case 'task.waiting': case 'task.reprioritised': {
      const { task } = event;
      return {
        type: 'task_event', timestamp, task_id: task.id, event: taskEventWireNames[event.type], status: task.status,
        priority: task.priority, agent_id: task.assigned_to, generation: task.generation,
      };
    }
    case 'lease.acquired': case 'lease.released':
      return { type: 'lease_event', timestamp, event: event.type === 'lease.acquired' ? 'acquired' : 'released', lease: event.lease };
    case 'lease.denied':
      return { type: 'lease_event', timestamp, event: 'denied', task_id: event.taskId, agent_id: event.agentId, paths: event.paths, holder: event.holder };
    case 'task.assigned': case 'task.reclaimed': {
      const { task } = event;
      const frame = {
        type: 'task_event' as const, timestamp, task_id: task.id, event: taskEventWireNames[event.type], status: task.status,
        priority: task.priority, agent_id: task.assigned_to, generation: task.generation,
      };
      return event.type === 'task.assigned' ? { ...frame, latency_ms: event.latencyMs } : { ...frame, reason: event.reason };
    }
    case 'task.awaiting_approval': case 'task.approved': case 'task.rejected': {
      const { task } = event;
      const frame = {
        type: 'task_event' as const, timestamp, task_id: task.id, event: taskEventWireNames[event.type], status: task.status,
        priority: task.priority, agent_id: task.assigned_to, generation: task.generation,
      };
      if (event.type === 'task.awaiting_approval') return frame;
      const decided = { ...frame, by: event.by, waited_ms: event.waitedMs };
      return event.type === 'task.rejected' ? { ...decided, reason: event.reason } : decided;
    }
    case 'approval.asked': case 'approval.answered': case 'approval.closed':
      return { type: 'approval_event', timestamp, event: approvalEventWireNames[event.type], approval: event.approval };
    case 'task.dependency_settled': {
      const { task } = event;
      return {
        type: 'task_event', timestamp, task_id: task.id, event: event.step, status: task.status,
        priority: task.priority, agent_id: task.assigned_to, generation: task.generation,
      };
    }
    case 'agent.joined': return { type: 'agent_joined', timestamp, agent: viewOf(event.agent) };
    case 'agent.removed': return { type: 'agent_removed', timestamp, agent_id: event.agentId };
    // Another hub's agents: the card follows status_changed, and leaves the board as a removed one does.
    case 'cluster.agent_seen': return { type: 'status_changed', timestamp, agent: event.agent };
    case 'cluster.agent_gone': return { type: 'agent_removed', timestamp, agent_id: event.agentId };
    case 'agent.left': return { type: 'agent_left', timestamp, agent_id: event.agent.agentId };
    case 'agent.state_changed': case 'agent.status_changed': return { type: 'status_changed', timestamp, agent: viewOf(event.agent) };
    case 'metrics.sampled': return { type: 'metrics_snapshot', timestamp, sample: event.sample, metrics: event.snapshot };
    case 'alert.fired': return { type: 'alert_fired', timestamp, ...event.alert };
    case 'alert.cleared': return { type: 'alert_cleared', timestamp, rule_id: event.ruleId };
    case 'storage.reported': return event.frame;
    case 'rate.limited': return event.repeated ? null : {
      type: 'rate_limited', timestamp, key: event.key, agent_id: event.agentId, channel: event.channel, tier: event.tier, retry_after_ms: event.retryAfterMs,
    };
    case 'alert.acknowledged': return { type: 'alert_acknowledged', timestamp, rule_id: event.ruleId };
    // Fleet control (issue 19): the agent card follows from status_changed; these say why.
    case 'agent.blocked': return {
      type: 'agent_blocked', timestamp, agent_id: event.agent.agentId, reason: event.reason, until: event.until, consecutive_failures: event.consecutiveFailures,
    };
    case 'agent.unblocked': return { type: 'agent_unblocked', timestamp, agent_id: event.agent.agentId, reason: event.reason };
    case 'task.budget_exceeded': return {
      type: 'task_event', timestamp, task_id: event.task.id, event: 'budget_exceeded', status: event.task.status, priority: event.task.priority,
      agent_id: event.agentId, generation: event.task.generation, tokens_used: event.tokensUsed, budget_tokens: event.budgetTokens,
    };
    case 'task.no_progress': return {
      type: 'task_event', timestamp, task_id: event.task.id, event: 'no_progress', status: event.task.status, priority: event.task.priority,
      agent_id: event.agentId, generation: event.task.generation, since_ms: event.sinceMs,
    };
    case 'budget.exhausted': return {
      type: 'budget_exhausted', timestamp, scope: event.scope, agent_id: event.agentId, used_tokens: event.usedTokens, budget_tokens: event.budgetTokens, day: event.day,
    };
  }
}
