// Daily token budgets (UTC days), per agent and for the whole fleet: the one place that
// decides whether a budget is spent. The budgets come from config (`daily_token_budgets`)
// until an operator changes them (PUT /api/budgets); from then on the copy in LMDB wins.
// Usage is charged by storage/token-ledger.ts inside the report's own transaction.
//
// A spent budget stops dispatch (actors/dispatch-gate.ts) for its agent, or for every agent
// when it is the fleet's; tasks already out run to their end. A new UTC day starts every budget again.
import type { SettingsStore } from '../storage/settings-store.ts';
import { nextUtcMidnight, type DayUsage, type TokenLedger } from '../storage/token-ledger.ts';
import type { DailyBudgetChanges, DailyBudgetSettings, DailyBudgetsView } from '../web/ports/fleet-port.ts';
import { ok, type Result } from '../storage/domain/errors.ts';

export type { DailyBudgetChanges, DailyBudgetSettings, DailyBudgetsView };


export type SpentBudget = 'agent' | 'fleet';

export interface BudgetCrossing {
  scope: SpentBudget;
  agentId: string | null;
  usedTokens: number;
  budgetTokens: number;
  day: string;
}

const settingsKey = 'daily_token_budgets';

export class DailyBudgets {
  /** Read once from LMDB, replaced on each update: the scheduler asks on every decision. */
  private cached: DailyBudgetSettings | null = null;

  constructor(
    private readonly configured: DailyBudgetSettings,
    private readonly settings: SettingsStore,
    private readonly ledger: TokenLedger,
  ) {}

  current(): DailyBudgetSettings {
    return (this.cached ??= this.settings.get<DailyBudgetSettings>(settingsKey) ?? this.configured);
  }

  async update(changes: DailyBudgetChanges): Promise<Result<DailyBudgetSettings>> {
    const current = this.current();
    const next: DailyBudgetSettings = { ...current, agents: { ...current.agents } };
    if (changes.fleet !== undefined) next.fleet = changes.fleet ?? undefined;
    if (changes.agent_default !== undefined) next.agent_default = changes.agent_default ?? undefined;
    for (const [agentId, budget] of Object.entries(changes.agents ?? {})) {
      if (budget === null) delete next.agents![agentId];
      else next.agents![agentId] = budget;
    }
    const cleaned = JSON.parse(JSON.stringify(next)) as DailyBudgetSettings;
    await this.settings.set(settingsKey, cleaned);
    this.cached = cleaned;
    return ok(cleaned);
  }

  budgetOf(agentId: string): number | null {
    const settings = this.current();
    return settings.agents?.[agentId] ?? settings.agent_default ?? null;
  }

  /** Which budget stops dispatch to this agent today, if any (the fleet's first). */
  spent(agentId: string, now: number): SpentBudget | null {
    const settings = this.current();
    if (settings.fleet === undefined && settings.agent_default === undefined && !settings.agents) return null;
    const usage = this.ledger.usage(now);
    if (settings.fleet !== undefined && usage.fleet >= settings.fleet) return 'fleet';
    const budget = this.budgetOf(agentId);
    if (budget !== null && (usage.agents[agentId] ?? 0) >= budget) return 'agent';
    return null;
  }

  /** The budgets a charge used up: each one that was not spent before it and is now. */
  crossed(agentId: string, before: DayUsage, after: DayUsage): BudgetCrossing[] {
    const crossings: BudgetCrossing[] = [];
    const fleet = this.current().fleet;
    if (fleet !== undefined && before.fleet < fleet && after.fleet >= fleet) {
      crossings.push({ scope: 'fleet', agentId: null, usedTokens: after.fleet, budgetTokens: fleet, day: after.day });
    }
    const budget = this.budgetOf(agentId);
    const was = before.day === after.day ? before.agents[agentId] ?? 0 : 0;
    const now = after.agents[agentId] ?? 0;
    if (budget !== null && was < budget && now >= budget) {
      crossings.push({ scope: 'agent', agentId, usedTokens: now, budgetTokens: budget, day: after.day });
    }
    return crossings;
  }

  /** Spent budgets today, for the alerter: `fleet` and `agent:<id>`. */
  spentToday(now: number, agentIds: Iterable<string>): string[] {
    const spent: string[] = [];
    const usage = this.ledger.usage(now);
    const fleet = this.current().fleet;
    if (fleet !== undefined && usage.fleet >= fleet) spent.push('fleet');
    for (const agentId of new Set([...agentIds, ...Object.keys(usage.agents)])) {
      const budget = this.budgetOf(agentId);
      if (budget !== null && (usage.agents[agentId] ?? 0) >= budget) spent.push(`agent:${agentId}`);
    }
    return spent;
  }

  view(now: number, agentIds: Iterable<string>): DailyBudgetsView {
    const usage = this.ledger.usage(now);
    const settings = this.current();
    const fleetBudget = settings.fleet ?? null;
    const ids = new Set([...agentIds, ...Object.keys(usage.agents), ...Object.keys(settings.agents ?? {})]);
    return {
      day: usage.day,
      resets_at: nextUtcMidnight(now),
      settings,
      fleet: { budget_tokens: fleetBudget, used_tokens: usage.fleet, spent: fleetBudget !== null && usage.fleet >= fleetBudget },
      agents: [...ids].sort().map((agentId) => {
        const budget = this.budgetOf(agentId);
        const used = usage.agents[agentId] ?? 0;
        return { agent_id: agentId, budget_tokens: budget, used_tokens: used, spent: budget !== null && used >= budget };
      }),
    };
  }
}
