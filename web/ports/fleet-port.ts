// Fleet control: breakers, provider rate limits, daily token budgets, provider quotas.
import type { Result } from '../../storage/domain/errors.ts';
import type { AgentView } from '../../storage/domain/agent-view.ts';

/** Daily token budgets as set; absent keys mean no limit. */
export interface DailyBudgetSettings {
  fleet?: number;
  agent_default?: number;
  agents?: Record<string, number>;
}

/** A PUT /api/budgets body: a number sets a budget, null removes it. */
export interface DailyBudgetChanges {
  fleet?: number | null;
  agent_default?: number | null;
  agents?: Record<string, number | null>;
}

/** Today's (UTC) budgets and usage. */
export interface DailyBudgetsView {
  day: string;
  resets_at: number;
  settings: DailyBudgetSettings;
  fleet: { budget_tokens: number | null; used_tokens: number; spent: boolean };
  agents: Array<{ agent_id: string; budget_tokens: number | null; used_tokens: number; spent: boolean }>;
}

/** One provider across the fleet: its cap, tasks out with its agents, and its agents parked by a rate limit. */
export interface ProviderView {
  provider: string;
  limit: number | null;
  in_use: number;
  parked: number;
  agents: number;
}

export interface FleetPort {
  /** `agent_rate_limited`: the agent's provider refused it until `until`; it parks keeping its task. Durable before it resolves. */
  agentRateLimited(agentId: string, taskId: string, until: number, generation?: number): Promise<Result<{ until: number }>>;
  /** Lifts a breaker or rate-limit block (operator); durable before it resolves. */
  unblockAgent(agentId: string): Promise<Result<AgentView>>;
  /** Null when the hub runs without a token ledger. */
  dailyBudgets(): DailyBudgetsView | null;
  setDailyBudgets(changes: DailyBudgetChanges): Promise<Result<DailyBudgetsView>>;
  providers(): ProviderView[];
}
