// What the hub remembers of each agent between connections, so a restarted hub
// shows known agents as offline instead of forgetting them.
import type { LmdbStore } from './lmdb-store.ts';

export interface KnownAgent {
  agentId: string;
  name: string;
  capabilities: string[];
  lastSeen: number;
}

export class AgentDirectory {
  constructor(private readonly store: Pick<LmdbStore, 'agents' | 'flushed'>) {}

  /** Writes agents[agentId]. Not awaited by callers: losing a last-seen time to a crash is harmless. */
  remember(agent: KnownAgent): Promise<boolean> {
    return this.store.agents.put(agent.agentId, agent);
  }

  async forget(agentId: string): Promise<void> {
    await this.store.agents.remove(agentId);
    await this.store.flushed();
  }

  all(): KnownAgent[] {
    return [...this.store.agents.getRange()].map(({ value }) => value as KnownAgent);
  }
}
