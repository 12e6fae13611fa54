// The task and agent lifecycle as events: one per lifecycle point, named like the
// machines' own events (dotted). runtime/hub-events.ts adds the hub's own events to
// these and is the one bus every subscriber (metrics, dashboard, alerter, logs) reads.
import type { TaskRecord } from '../storage/task-record.ts';
import type { FencingFacts, ReclaimReason } from '../storage/queue-engine.ts';
import type { AnyAgentEntry, FsmState } from './agent-registry.ts';
import type { AgentBlockReason } from '../machines/agent-machine.ts';

export interface LifecycleEvents {
  /** Entered its lane at submit. */
  'task.submitted': { task: TaskRecord };
  /** Submitted with a `not_before` still in the future. */
  'task.delayed': { task: TaskRecord };
  /** A delayed task's time came: it entered its lane. */
  'task.queued': { task: TaskRecord };
  /** Durably assigned and handed to the agent; `latencyMs` since it last entered its lane (null for a push). */
  'task.assigned': { task: TaskRecord; agentId: string; latencyMs: number | null; how: 'claimed' | 'pushed' };
  /** The task's fencing facts and lane as the accept found them, not its record (the accept reads none). */
  'task.accepted': { task: FencingFacts; agentId: string };
  'task.completed': { task: TaskRecord; agentId: string };
  /** Failed with retries left: back in its lane. */
  'task.retried': { task: TaskRecord; agentId: string; error: string };
  /** Failed with no retries left. */
  'task.dead_lettered': { task: TaskRecord; agentId: string; error: string };
  /** Taken back from its agent into its lane. */
  'task.reclaimed': { task: TaskRecord; agentId: string; reason: ReclaimReason };
  'task.cancelled': { task: TaskRecord; agentId: string | null };
  /** An operator retried a dead letter. */
  'task.requeued': { task: TaskRecord };
  /** Submitted with dependencies still unfinished: outside every lane until they settle. */
  'task.waiting': { task: TaskRecord };
  /**
   * A dependency settled and moved this task: into its lane, back to waiting, to the dead
   * letters (dependency_failed) or cancelled by a cascade. `step` is the history entry's event.
   */
  'task.dependency_settled': { task: TaskRecord; step: string };
  /** Submitted with requires_approval: outside every lane until an operator decides. */
  'task.awaiting_approval': { task: TaskRecord };
  /** An operator approved a gated task: it went on to waiting, delayed, its lane or (a dependency failed) the dead letters. */
  'task.approved': { task: TaskRecord; by: string | null; waitedMs: number };
  /** An operator rejected a gated task: it is cancelled with reason `rejected`. */
  'task.rejected': { task: TaskRecord; by: string | null; reason: string; waitedMs: number };
  /** A socket identified as the agent. */
  'agent.joined': { agent: AnyAgentEntry };
  /** An operator revoked the agent's tokens: it leaves the board (its held task went back to the queue). */
  'agent.removed': { agentId: string };
  /** The agent's newest socket closed. */
  'agent.left': { agent: AnyAgentEntry };
  /** The agent machine moved (offline, idle, assigned, working, blocked). */
  'agent.state_changed': { agent: AnyAgentEntry; from: FsmState; to: FsmState };
  /** The agent reported a new free-text status. */
  'agent.status_changed': { agent: AnyAgentEntry };
  /** The agent became blocked: its breaker tripped, or its provider rate-limited it (parked, keeping its task). */
  'agent.blocked': { agent: AnyAgentEntry; reason: AgentBlockReason; until: number | null; consecutiveFailures: number };
  /** The agent's block lifted (an operator, the breaker cooldown, or the rate limit's `until`). */
  'agent.unblocked': { agent: AnyAgentEntry; reason: AgentBlockReason };
  /** The task's cumulative tokens_used passed its budget_tokens: the hub dead-letters it and stops its agent. */
  'task.budget_exceeded': { task: TaskRecord; agentId: string; tokensUsed: number; budgetTokens: number };
  /** The task's progress reports showed no change for no_progress_after_ms (flagged, not stopped). */
  'task.no_progress': { task: TaskRecord; agentId: string; sinceMs: number };
}
