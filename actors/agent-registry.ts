// Every known agent: its actor, its newest socket, and what the scheduler needs
// to pick fairly (least recently assigned first).
//
// An agent's state is in two places that never overlap: its machine (FSM state, held
// task, flags, block, counts; actors/agent-actor.ts) and this entry (identity with its
// capabilities, socket, liveness, scheduling rest). The entry's fields are read-only to
// everyone else: the registry's methods below are their only writers.
//
// `Frame` is what the entries' links may send. The actors send task_assign themselves, so that
// is what they ask for; the hub's registry holds links that send every outbound agent frame
// (web/protocol), and serves here because task_assign is one of them (agent-link.ts).
import type { ActorRefFrom } from 'xstate';
import type { AgentIdentity } from '../storage/domain/agent-identity.ts';
import type { AgentLink } from '../storage/domain/agent-link.ts';
import type { AgentView } from '../storage/domain/agent-view.ts';
import type { TaskAssignment } from '../storage/domain/task-assignment.ts';
import type { AgentActorLogic } from './agent-actor.ts';
import { IdleAgents } from './idle-agents.ts';

export type AgentActor = ActorRefFrom<AgentActorLogic>;

/** The frames the actors send an agent themselves: the task dispatch's task_assign. */
export type ActorFrame = TaskAssignment;

export interface AgentEntry<Frame extends { type: string } = ActorFrame> {
  readonly agentId: string;
  /** What the agent announced at identify: name, status, capabilities (the one copy), provider. */
  readonly identity: AgentIdentity;
  readonly actor: AgentActor;
  /** The newest socket; pushes go here (reference quirk 4: never to an older one). */
  readonly link: AgentLink<Frame> | null;
  readonly connectedAt: number | null;
  readonly lastSeen: number | null;
  readonly lastStateChange: number;
  /** A claim for this agent is waiting on the queue; no second one may start. */
  readonly claimInFlight: boolean;
  /** Not scheduled before this time (after it rejected an assignment, or a rate limit denied it). */
  readonly restUntil: number;
  /** The description of the task last delivered, for the dashboard's agent card. */
  readonly delivered?: { taskId: string; description: string };
}

/** An entry as code that reads it and never sends on its link sees it; any entry is one. */
export type AnyAgentEntry = AgentEntry<never>;

type Writable<T> = { -readonly [K in keyof T]: T[K] };
const writable = <Frame extends { type: string }>(entry: AgentEntry<Frame>) => entry as Writable<AgentEntry<Frame>>;

export type FsmState = AgentView['fsm_state'];

export class AgentRegistry<Frame extends { type: string } = ActorFrame> {
  /** Insertion order is assignment order: the first entries were assigned least recently. */
  private readonly entries = new Map<string, AgentEntry<Frame>>();
  private readonly idle = new IdleAgents<AgentEntry<Frame>>();
  private connected = 0;

  get(agentId: string): AgentEntry<Frame> | undefined {
    return this.entries.get(agentId);
  }

  add(entry: AgentEntry<Frame>): void {
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
  setLink(entry: AgentEntry<Frame>, link: AgentLink<Frame> | null): void {
    this.connected += (link ? 1 : 0) - (entry.link ? 1 : 0);
    writable(entry).link = link;
    this.refresh(entry);
  }

  /** The agent identified on `link` at `at`: its identity (capabilities included) and socket replace the old ones. */
  identified(entry: AgentEntry<Frame>, identity: AgentIdentity, link: AgentLink<Frame>, at: number): void {
    const fields = writable(entry);
    fields.identity = identity;
    fields.connectedAt = at;
    fields.lastSeen = at;
    this.setLink(entry, link);
  }

  /** Its socket closed. */
  disconnected(entry: AgentEntry<Frame>): void {
    writable(entry).connectedAt = null;
    this.setLink(entry, null);
  }

  /** Any inbound frame counts as liveness (reference quirk 12); null: never seen. */
  seen(entry: AgentEntry<Frame>, at: number | null): void {
    writable(entry).lastSeen = at;
  }

  setStatus(entry: AgentEntry<Frame>, status: string): void {
    writable(entry).identity = { ...entry.identity, status };
  }

  /** Not scheduled before `until`. */
  restUntil(entry: AgentEntry<Frame>, until: number): void {
    writable(entry).restUntil = until;
  }

  /** A claim for the agent started or ended. */
  claimInFlight(entry: AgentEntry<Frame>, inFlight: boolean): void {
    writable(entry).claimInFlight = inFlight;
    this.refresh(entry);
  }

  /** The task delivered to it now, for its card. */
  delivered(entry: AgentEntry<Frame>, task: { taskId: string; description: string }): void {
    writable(entry).delivered = task;
  }

  /** Its machine changed state at `at`. */
  stateChanged(entry: AgentEntry<Frame>, at: number): void {
    writable(entry).lastStateChange = at;
    this.refresh(entry);
  }

  /**
   * Call after whatever decides whether the agent could take work changed (its state, its
   * socket, its capabilities, a claim starting or ending): keeps the idle index in step.
   */
  refresh(entry: AgentEntry<Frame>): void {
    if (this.entries.get(entry.agentId) === entry && waitsForWork(entry)) this.idle.add(entry);
    else this.idle.remove(entry.agentId);
  }

  /** The connected idle agent able to do a task needing `needed` that has waited longest, if any may take work now. */
  firstIdle(needed: readonly string[], now: number, mayDispatch: (entry: AgentEntry<Frame>) => boolean = () => true): AgentEntry<Frame> | null {
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
  *schedulable(now: number): Generator<AgentEntry<Frame>> {
    for (const entry of this.entries.values()) if (isSchedulable(entry, now)) yield entry;
  }

  all(): IterableIterator<AgentEntry<Frame>> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  connectedCount(): number {
    return this.connected;
  }
}

export function isSchedulable(entry: AnyAgentEntry, now: number): boolean {
  return entry.restUntil <= now && waitsForWork(entry);
}

/** Connected, idle and with no claim in flight; it may still be resting (`restUntil`). */
function waitsForWork(entry: AnyAgentEntry): boolean {
  return entry.link !== null && !entry.claimInFlight && stateOf(entry) === 'idle';
}

export function stateOf(entry: AnyAgentEntry): FsmState {
  return entry.actor.getSnapshot().value as FsmState;
}

export function viewOf(entry: AnyAgentEntry): AgentView {
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
