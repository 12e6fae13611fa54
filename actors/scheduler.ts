// Event-driven assignment: a task is handed out in the same tick as the event
// that made it possible (task submitted, agent idle, agent connected, task
// reclaimed); the periodic pass is only a safety net.
//
// Fairness: among capable idle agents the least recently assigned goes first.
// Claims for different agents run concurrently so the queue batches them into
// one transaction; the queue never hands one task to two claims.
import type { QueueEngine } from '../storage/queue-engine.ts';
import type { TaskRecord } from '../storage/task-record.ts';
import { assignmentEnded } from '../storage/task-transitions.ts';
import { isSchedulable, type AgentEntry, type AgentRegistry } from './agent-registry.ts';

export interface SchedulerDeps {
  queue: QueueEngine;
  agents: AgentRegistry;
  now: () => number;
  /** Hands a freshly claimed (durably assigned) task to its agent. */
  deliver: (entry: AgentEntry, task: TaskRecord) => void;
  onError: (error: unknown) => void;
  /** Agent-side eligibility beyond idle and connected (actors/dispatch-gate.ts); absent: every idle agent may. */
  mayDispatch?: (entry: AgentEntry, now: number) => boolean;
}

export class Scheduler {
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** An agent became idle or connected. */
  agentIdle(agentId: string): void {
    const entry = this.deps.agents.get(agentId);
    const now = this.deps.now();
    if (entry && isSchedulable(entry, now) && this.eligible(entry, now)) void this.claimFor(entry);
  }

  /** A task entered a lane (submitted, retried, reclaimed, promoted). */
  taskAvailable(task: { readonly needed_capabilities: readonly string[] }): void {
    const now = this.deps.now();
    const entry = this.deps.agents.firstIdle(task.needed_capabilities, now, (agent) => this.eligible(agent, now));
    if (entry) void this.claimFor(entry);
  }

  /**
   * An idle agent able to take a task needing `needed`, held back from claiming while the
   * submit writes the task (possibly already assigned to it); `release` ends the hold.
   */
  reserveFor(needed: readonly string[]): AgentEntry | null {
    if (this.stopped) return null;
    const now = this.deps.now();
    const entry = this.deps.agents.firstIdle(needed, now, (agent) => this.eligible(agent, now));
    if (entry) this.setClaimInFlight(entry, true);
    return entry;
  }

  /** Ends a reservation: hands over the task the submit wrote assigned to the agent, or lets the agent claim again. */
  release(entry: AgentEntry, written: TaskRecord | null): void {
    this.setClaimInFlight(entry, false);
    if (written?.status === 'assigned' && written.assigned_to === entry.agentId) this.handOver(entry, written);
    else this.agentIdle(entry.agentId);
  }

  /** Offers work to every idle agent: the safety-net pass (it also puts back any agent the idle index missed). */
  pass(): void {
    const now = this.deps.now();
    for (const entry of [...this.deps.agents.schedulable(now)]) {
      this.deps.agents.refresh(entry);
      if (this.eligible(entry, now)) void this.claimFor(entry);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private eligible(entry: AgentEntry, now: number): boolean {
    return this.deps.mayDispatch?.(entry, now) ?? true;
  }

  private async claimFor(entry: AgentEntry): Promise<void> {
    if (this.stopped) return;
    this.setClaimInFlight(entry, true);
    try {
      const claimed = await this.deps.queue.claimNext(entry.agentId, entry.identity.capabilities, this.deps.now());
      this.setClaimInFlight(entry, false);
      if (!claimed.ok) {
        if (claimed.code !== 'AC_ERR_QUEUE_CLOSED') this.deps.onError(new Error(`${claimed.code}: ${claimed.detail}`));
        return;
      }
      if (claimed.value === null) return;
      this.handOver(entry, claimed.value);
    } catch (error) {
      this.setClaimInFlight(entry, false);
      this.deps.onError(error);
    }
  }

  /**
   * Delivers a task written assigned to `entry`, unless a later change (a cancel) has already
   * ended that assignment and been told to the agent: the hub side of a write can run before the
   * hub side of an earlier one, and a frame sent now would hand the agent a cancelled task.
   */
  private handOver(entry: AgentEntry, task: TaskRecord): void {
    if (assignmentEnded(task, this.deps.queue.get(task.id))) {
      this.agentIdle(entry.agentId);
      return;
    }
    this.deps.agents.markAssigned(entry.agentId);
    this.deps.deliver(entry, task);
  }

  private setClaimInFlight(entry: AgentEntry, inFlight: boolean): void {
    this.deps.agents.claimInFlight(entry, inFlight);
  }
}
