// What the hub remembers of each agent between connections, so a restarted hub
// shows known agents as offline instead of forgetting them.
import { durablyOrRefused, type WriteSink } from './durable-write.ts';
import type { LmdbStore } from './lmdb-store.ts';

export interface KnownAgent {
  agentId: string;
  name: string;
  capabilities: string[];
  lastSeen: number;
}

export class AgentDirectory {
  constructor(private readonly store: Pick<LmdbStore, 'agents'> & WriteSink) {}

  /**
   * Writes agents[agentId]. Not awaited by callers: losing a last-seen time to a crash is
   * harmless, and so is one the disk had no room for (it resolves false then).
   */
  remember(agent: KnownAgent): Promise<boolean> {
    return this.store.agents.put(agent.agentId, agent).catch(() => false);
  }

  /** Resolves once durable; a write the disk cannot take rejects with a ThrownFailure. */
  async forget(agentId: string): Promise<void> {
    await durablyOrRefused(this.store, () => this.store.agents.remove(agentId));
  }

  all(): KnownAgent[] {
    return [...this.store.agents.getRange()].map(({ value }) => value as KnownAgent);
  }
}
