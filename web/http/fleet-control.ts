// Fleet control over HTTP: unblocking an agent (breaker or rate limit), the daily token
// budgets (read and change at runtime), and the provider quotas in use.
import { errorReply, failureReply, typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function fleetControlRoutes({ hub: { fleet } }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/agents/:id/unblock', auth: 'admin',
      async handle({ params }) {
        const unblocked = await fleet.unblockAgent(params.id!);
        return unblocked.ok ? typedReply('agent_unblocked', 200, { status: 'unblocked', agent: unblocked.value }) : failureReply(unblocked, { agent_id: params.id! });
      },
    },
    {
      method: 'GET', path: '/api/budgets', auth: 'admin',
      handle() {
        const view = fleet.dailyBudgets();
        return view ? typedReply('daily_budgets', 200, view) : errorReply('AC_ERR_NOT_IMPLEMENTED', { detail: 'daily token budgets' });
      },
    },
    {
      method: 'PUT', path: '/api/budgets', auth: 'admin', body: 'daily_budgets_update',
      async handle({ body }) {
        const set = await fleet.setDailyBudgets(body);
        return set.ok ? typedReply('daily_budgets', 200, set.value) : failureReply(set);
      },
    },
    {
      method: 'GET', path: '/api/providers', auth: 'agent',
      handle: () => typedReply('provider_list', 200, { providers: fleet.providers() }),
    },
  ];
}
