// Every known agent: its actor, its newest socket, and what the scheduler needs
// to pick fairly (least recently assigned first).
import type { ActorRefFrom } from 'xstate';
import type { AgentIdentity } from '../storage/domain/agent-identity.ts';
import type { AgentLink } from '../storage/domain/agent-link.ts';
import type { AgentView } from '../storage/domain/agent-view.ts';
import type { AgentActorLogic } from './agent-actor.ts';
import { IdleAgents } from './idle-agents.ts';

export type AgentActor = ActorRefFrom<AgentActorLogic>;

export interface AgentEntry {
  readonly agentId: string;
  identity: AgentIdentity;
  readonly actor: AgentActor;
  /** The newest socket; pushes go here (reference quirk 4: never to an older one). Set through `AgentRegistry.setLink`. */
  readonly link: AgentLink | null;
  connectedAt: number | null;
  lastSeen: number | null;
  lastStateChange: number;
  /** A claim for this agent is waiting on the queue; no second one may start. */
  claimInFlight: boolean;
  /** Not scheduled before this time (set after it rejected an assignment). */
  restUntil: number;
  /** The description of the task last delivered, for the dashboard's agent card. */
  delivered?: { taskId: string; description: string };
}

export type FsmState = AgentView['fsm_state'];

export class AgentRegistry {
  /** Insertion order is assignment order: the first entries were assigned least recently. */
  private readonly entries = new Map<string, AgentEntry>();
  private readonly idle = new IdleAgents<AgentEntry>();
  private connected = 0;

  get(agentId: string): AgentEntry | undefined {
    return this.entries.get(agentId);
  }

  add(entry: AgentEntry): void {
    this.entries.set(entry.agentId, entry);
  }

  /** Forgets an agent (its tokens were revoked): it leaves the scheduler and every listing. */
  remove(agentId: string): void {
    const entry = this.entries.get(agentId);
    if (!entry) return;
    if (entry.link) this.connected -= 1;
    this.entries.delete(agentId);
    this.idle.remove(agentId);
  }

  /** Attaches the agent's newest socket, or detaches it (null); keeps the connected count. */
  setLink(entry: AgentEntry, link: AgentLink | null): void {
    this.connected += (link ? 1 : 0) - (entry.link ? 1 : 0);
    (entry as { link: AgentLink | null }).link = link;
    this.refresh(entry);
  }

  /**
   * Call after whatever decides whether the agent could take work changed (its state, its
   * socket, its capabilities, a claim starting or ending): keeps the idle index in step.
   */
  refresh(entry: AgentEntry): void {
    if (this.entries.get(entry.agentId) === entry && waitsForWork(entry)) this.idle.add(entry);
    else this.idle.remove(entry.agentId);
  }

  /** The connected idle agent able to do a task needing `needed` that has waited longest, if any may take work now. */
  firstIdle(needed: readonly string[], now: number, mayDispatch: (entry: AgentEntry) => boolean = () => true): AgentEntry | null {
    return this.idle.first(needed, (entry) => {
      if (this.entries.get(entry.agentId) !== entry || !waitsForWork(entry)) return 'stale';
      return entry.restUntil <= now && mayDispatch(entry) ? 'yes' : 'wait';
    });
  }

  /** Moves the agent to the back of the fairness order. */
  markAssigned(agentId: string): void {
    const entry = this.entries.get(agentId);
    if (!entry) return;
    this.entries.delete(agentId);
    this.entries.set(agentId, entry);
  }

  /** Connected idle agents that may take work now, least recently assigned first. */
  *schedulable(now: number): Generator<AgentEntry> {
    for (const entry of this.entries.values()) if (isSchedulable(entry, now)) yield entry;
  }

  all(): IterableIterator<AgentEntry> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  connectedCount(): number {
    return this.connected;
  }
}

export function isSchedulable(entry: AgentEntry, now: number): boolean {
  return entry.restUntil <= now && waitsForWork(entry);
}

/** Connected, idle and with no claim in flight; it may still be resting (`restUntil`). */
function waitsForWork(entry: AgentEntry): boolean {
  return entry.link !== null && !entry.claimInFlight && stateOf(entry) === 'idle';
}

export function stateOf(entry: AgentEntry): FsmState {
  return entry.actor.getSnapshot().value as FsmState;
}

export function viewOf(entry: AgentEntry): AgentView {
  const { context } = entry.actor.getSnapshot();
  return {
    agent_id: entry.agentId,
    name: entry.identity.name,
    status: entry.identity.status,
    capabilities: entry.identity.capabilities,
    connected_at: entry.connectedAt,
    fsm_state: stateOf(entry),
    current_task_id: context.currentTask?.taskId ?? null,
    current_task_description: context.currentTask && entry.delivered?.taskId === context.currentTask.taskId ? entry.delivered.description : null,
    flags: [...context.flags],
    last_state_change: entry.lastStateChange,
    last_seen: entry.lastSeen,
    tasks_completed: context.tasksCompleted,
    ...(entry.identity.provider !== undefined ? { provider: entry.identity.provider } : {}),
    ...(context.block ? { blocked_reason: context.block.reason, blocked_until: context.block.until } : {}),
    ...(context.consecutiveFailures > 0 ? { consecutive_failures: context.consecutiveFailures } : {}),
  };
}
