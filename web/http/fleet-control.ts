// Fleet control over HTTP: unblocking an agent (breaker or rate limit), the daily token
// budgets (read and change at runtime), and the provider quotas in use.
import { errorReply, failureReply, reply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function fleetControlRoutes({ hub }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/agents/:id/unblock', auth: 'admin',
      async handle({ params }) {
        const unblocked = await hub.unblockAgent(params.id!);
        return unblocked.ok ? reply(200, { status: 'unblocked', agent: unblocked.value }) : failureReply(unblocked, { agent_id: params.id });
      },
    },
    {
      method: 'GET', path: '/api/budgets', auth: 'admin',
      handle() {
        const view = hub.dailyBudgets();
        return view ? reply(200, view) : errorReply('AC_ERR_NOT_IMPLEMENTED', { detail: 'daily token budgets' });
      },
    },
    {
      method: 'PUT', path: '/api/budgets', auth: 'admin', body: 'daily_budgets_update',
      async handle({ body }) {
        const set = await hub.setDailyBudgets(body);
        return set.ok ? reply(200, set.value) : failureReply(set);
      },
    },
    {
      method: 'GET', path: '/api/providers', auth: 'agent',
      handle: () => reply(200, { providers: hub.providers() }),
    },
  ];
}
