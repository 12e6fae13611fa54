// Tokens charged per UTC day, per agent and for the whole fleet: what the daily token
// budgets are checked against. Charged inside the transaction of the report that added the
// tokens (a progress or completion report), so a kill -9 never counts a report twice or loses one.
//
// Days are UTC calendar days: the ledger starts a new day at 00:00 UTC.
import type { LmdbStore } from './lmdb-store.ts';

export interface DayUsage {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  fleet: number;
  agents: Record<string, number>;
}

const keyPrefix = 'token_usage:';
/** Days kept; older ones are dropped when a new day starts. */
const keptDays = 31;

export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Epoch ms of the next UTC midnight: when every daily budget starts again. */
export function nextUtcMidnight(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

export class TokenLedger {
  constructor(private readonly store: Pick<LmdbStore, 'config'>) {}

  /** Only inside a write transaction callback: commits with that transaction. */
  chargeInTransaction(agentId: string, tokens: number, now: number): DayUsage {
    const today = this.usage(now);
    if (tokens <= 0) return today;
    const charged: DayUsage = {
      day: today.day, fleet: today.fleet + tokens, agents: { ...today.agents, [agentId]: (today.agents[agentId] ?? 0) + tokens },
    };
    if (today.fleet === 0 && Object.keys(today.agents).length === 0) this.dropOldDays(now);
    void this.store.config.put(keyPrefix + today.day, charged);
    return charged;
  }

  /** Today's (UTC) usage; empty at the start of a day. */
  usage(now: number): DayUsage {
    const day = utcDay(now);
    const stored = this.store.config.get(keyPrefix + day) as DayUsage | undefined;
    return stored ?? { day, fleet: 0, agents: {} };
  }

  private dropOldDays(now: number): void {
    const oldest = utcDay(now - keptDays * 86_400_000);
    for (const key of this.store.config.getKeys({ start: keyPrefix, end: keyPrefix + oldest })) void this.store.config.remove(key);
  }
}
