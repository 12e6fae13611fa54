// Keeps each agent machine's breaker state (consecutive failures, block) durable and its
// blocks timed: every change the machine makes is written to LMDB (storage/breaker-store.ts),
// a block with an `until` gets a timer that asks the hub to lift it, and a block that starts or
// ends is announced on the bus (agent.blocked, agent.unblocked).
//
// The machine decides when the breaker trips and what a block does; this only remembers it.
import type { Logger } from 'winston';
import type { AgentBlock, AgentMachineContext } from '../machines/agent-machine.ts';
import type { BreakerStore, StoredBreaker } from '../storage/breaker-store.ts';
import type { AnyAgentEntry } from './agent-registry.ts';
import type { EventSink } from './event-sink.ts';

export interface AgentBreakersDeps {
  store?: BreakerStore;
  events: EventSink;
  log: Logger;
  now: () => number;
  /** A block's `until` passed: the hub lifts it (or waits for the agent to come back). */
  due: (agentId: string) => void;
}

/** setTimeout fires at once past 2^31 - 1 ms; a longer wait re-arms. */
const maxTimerMs = 2 ** 31 - 1;

export class AgentBreakers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly known = new Map<string, StoredBreaker>();
  /** The last write of each agent's state, so a caller can answer only once it is durable. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly deps: AgentBreakersDeps) {}

  /** What the agent machine starts from: the state kept by the last run. */
  restored(agentId: string): { consecutiveFailures: number; block: AgentBlock | null } {
    const stored = this.deps.store?.get(agentId);
    if (stored) this.known.set(agentId, stored);
    return { consecutiveFailures: stored?.consecutive_failures ?? 0, block: stored?.block ?? null };
  }

  /** Called with every snapshot of the agent's machine; acts only when the count or the block changed. */
  observe(entry: AnyAgentEntry, context: AgentMachineContext): void {
    const previous = this.known.get(entry.agentId) ?? { consecutive_failures: 0, block: null };
    const block = context.block;
    if (previous.consecutive_failures === context.consecutiveFailures && sameBlock(previous.block, block)) {
      if (block && !this.timers.has(entry.agentId)) this.arm(entry.agentId, block);
      return;
    }
    const next: StoredBreaker = { consecutive_failures: context.consecutiveFailures, block: block ? { ...block } : null };
    this.known.set(entry.agentId, next);
    const write = this.deps.store?.set(entry.agentId, next).catch((error: unknown) => {
      this.deps.log.error('breaker state not saved', { code: 'AC_ERR_STORAGE', agent_id: entry.agentId, error: String(error) });
    });
    if (write) this.writes.set(entry.agentId, write);
    const at = this.deps.now();
    if (block && !sameBlock(previous.block, block)) {
      this.arm(entry.agentId, block);
      if (previous.block?.reason !== block.reason) {
        this.deps.events.emit('agent.blocked', at, { agent: entry, reason: block.reason, until: block.until, consecutiveFailures: context.consecutiveFailures });
      }
    } else if (!block && previous.block) {
      this.disarm(entry.agentId);
      this.deps.events.emit('agent.unblocked', at, { agent: entry, reason: previous.block.reason });
    }
  }

  /** Resolves once the agent's latest breaker state is on disk. */
  settled(agentId: string): Promise<void> {
    return this.writes.get(agentId) ?? Promise.resolve();
  }

  /** The agent left the hub (its tokens were revoked): its state goes too. */
  forget(agentId: string): void {
    this.disarm(agentId);
    this.known.delete(agentId);
    void this.deps.store?.remove(agentId).catch(() => undefined);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(agentId: string, block: AgentBlock): void {
    this.disarm(agentId);
    if (block.until === null) return;
    const waitMs = Math.min(Math.max(0, block.until - this.deps.now()), maxTimerMs);
    const timer = setTimeout(() => {
      this.timers.delete(agentId);
      if (block.until! > this.deps.now()) this.arm(agentId, block);
      else this.deps.due(agentId);
    }, waitMs);
    timer.unref();
    this.timers.set(agentId, timer);
  }

  private disarm(agentId: string): void {
    const timer = this.timers.get(agentId);
    if (timer) clearTimeout(timer);
    this.timers.delete(agentId);
  }
}

function sameBlock(a: StoredBreaker['block'], b: AgentBlock | null): boolean {
  if (a === null || b === null) return a === b;
  return a.reason === b.reason && a.until === b.until && a.since === b.since;
}
