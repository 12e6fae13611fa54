// Agent-side dispatch eligibility (fleet control): whether an idle, connected agent may be
// offered work now. The scheduler asks before each claim; other gates (task-side ones such
// as path leases) live beside it, not here.
//   - provider_limit: the agent's provider already has `provider_limits[provider]` tasks out;
//   - agent_budget / fleet_budget: a daily token budget is spent for this UTC day.
// A blocked agent (breaker, rate limit) is not idle, so the agent machine already keeps it out.
import { stateOf, type AnyAgentEntry } from './agent-registry.ts';

export type DispatchRefusal = 'provider_limit' | 'agent_budget' | 'fleet_budget';

export interface DispatchGateDeps {
  /** The cap for a provider; undefined: no cap. */
  providerLimit: (provider: string) => number | undefined;
  /** Every known agent, to count a provider's tasks out. */
  agents: () => Iterable<AnyAgentEntry>;
  budgetSpent: (agentId: string, now: number) => 'agent' | 'fleet' | null;
}

export class DispatchGate {
  constructor(private readonly deps: DispatchGateDeps) {}

  /** Why the agent may not take work now, or null when it may. */
  refusal(entry: AnyAgentEntry, now: number): DispatchRefusal | null {
    const spent = this.deps.budgetSpent(entry.agentId, now);
    if (spent) return spent === 'fleet' ? 'fleet_budget' : 'agent_budget';
    const provider = entry.identity.provider;
    if (provider !== undefined) {
      const limit = this.deps.providerLimit(provider);
      if (limit !== undefined && this.inUse(provider) >= limit) return 'provider_limit';
    }
    return null;
  }

  /** Tasks out with agents of `provider`: held (assigned, working, stopping, parked) or being claimed. */
  inUse(provider: string): number {
    let count = 0;
    for (const entry of this.deps.agents()) if (entry.identity.provider === provider && holdsWork(entry)) count += 1;
    return count;
  }
}

/** The agent holds a task (parked ones too: their task is kept) or a claim for one is in flight. */
export function holdsWork(entry: AnyAgentEntry): boolean {
  if (entry.claimInFlight) return true;
  const state = stateOf(entry);
  if (state === 'assigned' || state === 'working' || state === 'stopping') return true;
  return state === 'blocked' && entry.actor.getSnapshot().context.currentTask !== null;
}
