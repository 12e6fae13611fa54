// The agents' breaker state in LMDB: consecutive failures and the block (breaker or
// rate limit) each agent machine holds, so a kill -9 neither clears a tripped breaker nor
// forgets a parked agent. Written whenever an agent machine's count or block changes,
// durable before the write resolves.
import type { LmdbStore } from './lmdb-store.ts';

export interface StoredBreaker {
  consecutive_failures: number;
  block: { reason: 'breaker' | 'rate_limited'; since: number; until: number | null } | null;
}

const keyPrefix = 'agent_breaker:';

export class BreakerStore {
  constructor(private readonly store: Pick<LmdbStore, 'config' | 'flushed'>) {}

  get(agentId: string): StoredBreaker | undefined {
    return this.store.config.get(keyPrefix + agentId) as StoredBreaker | undefined;
  }

  async set(agentId: string, state: StoredBreaker): Promise<void> {
    if (state.consecutive_failures === 0 && state.block === null) await this.store.config.remove(keyPrefix + agentId);
    else await this.store.config.put(keyPrefix + agentId, state);
    await this.store.flushed();
  }

  async remove(agentId: string): Promise<void> {
    await this.store.config.remove(keyPrefix + agentId);
    await this.store.flushed();
  }
}
