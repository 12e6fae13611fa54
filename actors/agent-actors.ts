// One agent actor per known agent, kept under the `agents` supervisor and kept in
// step with what the hub knows: state changes become events, and an actor that
// crashed and was replaced is re-told whether its agent is connected and what it holds.
import type { Logger } from 'winston';
import type { QueueEngine } from '../storage/queue-engine.ts';
import type { AgentIdentity } from '../storage/domain/agent-identity.ts';
import type { AgentMachineContext, AgentMachineInput } from '../machines/agent-machine.ts';
import { asOffline, type AgentActorLogic } from './agent-actor.ts';
import type { ActorHost } from './actor-host.ts';
import { stateOf, type ActorFrame, type AgentActor, type AgentEntry, type AgentRegistry } from './agent-registry.ts';
import type { EventSink } from './event-sink.ts';
import type { AgentBreakers } from './agent-breakers.ts';

/** `Frame`: what the registry's links send (actors/agent-registry.ts). */
export interface AgentActorsDeps<Frame extends { type: string } = ActorFrame> {
  host: ActorHost;
  registry: AgentRegistry<Frame>;
  logic: AgentActorLogic;
  queue: QueueEngine;
  events: EventSink;
  log: Logger;
  acceptanceTimeoutMs: number;
  now: () => number;
  /** The agent actor's persisted snapshot from the last run, if any. */
  storedSnapshot?: (systemId: string) => unknown;
  /**
   * Keeps the actor's persisted snapshot for the next run: called when a change reached what a
   * restart restores from it (`asOffline`: the Done count and the flags), not at every transition.
   */
  keepSnapshot?: (systemId: string, persisted: unknown) => void;
  /** Breaker settings (config breaker_failures, breaker_cooldown_ms) and the durable breaker state. */
  breaker?: { failures: number; cooldownMs: number; state: AgentBreakers };
}

export const agentSystemId = (agentId: string) => `agent:${agentId}`;

export class AgentActors<Frame extends { type: string } = ActorFrame> {
  constructor(private readonly deps: AgentActorsDeps<Frame>) {}

  /** The agent's entry, starting its actor (offline) the first time the hub hears of it. */
  ensure(identity: AgentIdentity): AgentEntry<Frame> {
    const { registry, host } = this.deps;
    const known = registry.get(identity.agentId);
    if (known) return known;
    const systemId = agentSystemId(identity.agentId);
    const stored = this.deps.storedSnapshot?.(systemId);
    const breaker = this.deps.breaker;
    // The breaker state in LMDB wins over the snapshot's: it is written at every change.
    const kept = breaker?.state.restored(identity.agentId);
    host.start('agents', systemId, this.deps.logic, {
      agentId: identity.agentId,
      acceptanceTimeoutMs: this.deps.acceptanceTimeoutMs,
      ...(breaker ? { breakerFailures: breaker.failures, breakerCooldownMs: breaker.cooldownMs, ...kept } : {}),
      ...(stored ? { restored: asOffline(stored, kept, breaker) } : {}),
    } as AgentMachineInput);
    const entry: AgentEntry<Frame> = {
      agentId: identity.agentId, identity, link: null, connectedAt: null, lastSeen: null,
      lastStateChange: this.deps.now(), claimInFlight: false, restUntil: 0,
      // Looked up each time: after a crash the supervisor replaces the actor under the same id.
      get actor() {
        return host.get<AgentActorLogic>(systemId)!;
      },
    };
    registry.add(entry);
    this.watch(entry);
    // A block kept from the last run gets its timer now.
    this.deps.breaker?.state.observe(entry, entry.actor.getSnapshot().context);
    return entry;
  }

  /** Stops the agent's actor and drops it from the registry: a removed agent leaves every view. */
  forget(agentId: string): void {
    this.deps.breaker?.state.forget(agentId);
    this.deps.registry.remove(agentId);
    this.deps.host.stop('agents', agentSystemId(agentId));
  }

  /** The task the queue holds as assigned to this agent, as the agent machine's resume input. */
  heldTaskOf(agentId: string): { taskId: string; generation: number } | undefined {
    const [held] = this.deps.queue.assignedTo(agentId);
    return held && { taskId: held.id, generation: held.generation };
  }

  /** Emits state changes; when the actor crashes and is restarted, re-tells it what the hub knows. */
  private watch(entry: AgentEntry<Frame>): void {
    let lastState = stateOf(entry);
    const watched = entry.actor;
    let kept = watched.getSnapshot().context;
    watched.subscribe({
      next: (snapshot) => {
        this.deps.breaker?.state.observe(entry, snapshot.context);
        if (this.deps.keepSnapshot && restoredPartChanged(kept, snapshot.context)) {
          kept = snapshot.context;
          this.deps.keepSnapshot(agentSystemId(entry.agentId), watched.getPersistedSnapshot());
        }
        if (snapshot.value === lastState) return;
        const from = lastState;
        lastState = snapshot.value;
        this.deps.registry.stateChanged(entry, this.deps.now());
        this.deps.events.emit('agent.state_changed', entry.lastStateChange, { agent: entry, from, to: lastState });
      },
      error: (error) => {
        this.deps.log.error('agent actor crashed', { agent_id: entry.agentId, error: String(error) });
        setImmediate(() => this.resync(entry, watched));
      },
    });
  }

  private resync(entry: AgentEntry<Frame>, crashed: AgentActor): void {
    const replacement = this.deps.host.get<AgentActorLogic>(agentSystemId(entry.agentId));
    if (!replacement || replacement === crashed || this.deps.registry.get(entry.agentId) !== entry) return;
    this.watch(entry);
    this.deps.registry.refresh(entry);
    if (!entry.link) return;
    replacement.send({ type: 'agent.connected', resume: this.heldTaskOf(entry.agentId) });
  }
}

/** What a restart takes from a stored snapshot (`asOffline`) changed: the Done count or the flags. */
function restoredPartChanged(kept: AgentMachineContext, now: AgentMachineContext): boolean {
  if (kept.tasksCompleted !== now.tasksCompleted) return true;
  if (kept.flags === now.flags) return false;
  return kept.flags.length !== now.flags.length || kept.flags.some((flag, i) => now.flags[i] !== flag);
}
