// Fleet control: breakers, provider rate limits, daily token budgets, provider quotas.
import type { Result } from '../../storage/domain/errors.ts';
import type { AgentView } from '../../storage/domain/agent-view.ts';
import type { DailyBudgetSettings, DailyBudgetsUpdate, DailyBudgetsView, ProviderView } from '../protocol/fleet-control.ts';

/** A PUT /api/budgets body: a number sets a budget, null removes it. */
export type DailyBudgetChanges = Pick<DailyBudgetsUpdate, 'fleet' | 'agent_default' | 'agents'>;

export type { DailyBudgetSettings, DailyBudgetsView, ProviderView };

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
