// Fleet control as the API sees it: provider rate limits, unblocking, daily budgets, providers.
import type { AgentView } from '../../storage/domain/agent-view.ts';
import type { DailyBudgetChanges, DailyBudgetsView, FleetPort, ProviderView } from '../../web/ports/fleet-port.ts';
import { ok, type Result } from '../../storage/domain/errors.ts';
import type { FleetControl } from '../fleet-control.ts';
import type { AgentSessions } from './agent-sessions.ts';

export class FleetService implements FleetPort {
  constructor(private readonly fleet: FleetControl, private readonly sessions: AgentSessions) {}

  /** The agent's provider refused it until `until` (agent_rate_limited): parked, keeping its task. */
  agentRateLimited(agentId: string, taskId: string, until: number, generation?: number): Promise<Result<{ until: number }>> {
    return this.fleet.rateLimited(agentId, taskId, until, generation);
  }

  async unblockAgent(agentId: string): Promise<Result<AgentView>> {
    const unblocked = await this.fleet.unblock(agentId);
    return unblocked.ok ? ok(this.sessions.agentView(unblocked.value)) : unblocked;
  }

  dailyBudgets(): DailyBudgetsView | null {
    return this.fleet.budgetsView();
  }

  setDailyBudgets(changes: DailyBudgetChanges): Promise<Result<DailyBudgetsView>> {
    return this.fleet.updateBudgets(changes);
  }

  providers(): ProviderView[] {
    return this.fleet.providersView();
  }
}
