// Admin routes for rate limits (reference §4, §8): the defaults, per-agent overrides
// and the whitelist. Changes are persisted by the hub before the reply.
import { tiers } from '../protocol/rate-limit-tiers.ts';
import { errorReply, typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function rateLimitRoutes({ hub: { rateLimiter: limiter } }: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/api/admin/rate-limits', auth: 'admin',
      handle: () => typedReply('rate_limits', 200, limiter.view()),
    },
    {
      method: 'GET', path: '/api/admin/rate-limits/whitelist', auth: 'admin',
      handle: () => typedReply('whitelist', 200, { whitelist: limiter.whitelisted() }),
    },
    {
      method: 'PUT', path: '/api/admin/rate-limits/whitelist', auth: 'admin', body: 'whitelist_set',
      async handle({ body }) {
        const whitelist = await limiter.setWhitelist(body.agent_ids);
        return typedReply('whitelist_changed', 200, { status: 'updated', whitelist });
      },
    },
    {
      method: 'POST', path: '/api/admin/rate-limits/whitelist', auth: 'admin', body: 'whitelist_add',
      async handle({ body }) {
        const agentId = body.agent_id;
        const whitelist = await limiter.addToWhitelist(agentId);
        return typedReply('whitelist_changed', 200, { status: 'added', agent_id: agentId, whitelist });
      },
    },
    {
      method: 'DELETE', path: '/api/admin/rate-limits/whitelist/:id', auth: 'admin',
      async handle({ params }) {
        await limiter.removeFromWhitelist(params.id!);
        return typedReply('whitelist_changed', 200, { status: 'removed', agent_id: params.id!, whitelist: limiter.whitelisted() });
      },
    },
    {
      method: 'PUT', path: '/api/admin/rate-limits/:agent_id', auth: 'admin', body: 'rate_limit_override',
      async handle({ params, body }) {
        const given = body;
        const limits = Object.fromEntries(tiers.filter((tier) => given[tier] !== undefined).map((tier) => [tier, given[tier]!]));
        if (Object.keys(limits).length === 0) {
          return errorReply('AC_ERR_VALIDATION', {
            error: 'invalid_overrides',
            errors: [{ field: 'body', error: 'required', detail: 'give at least one of light, normal, heavy: {capacity, refill_rate_per_min}' }],
          });
        }
        const overrides = await limiter.setOverride(params.agent_id!, limits);
        return typedReply('rate_limit_override_changed', 200, { status: 'updated', agent_id: params.agent_id!, overrides });
      },
    },
    {
      method: 'DELETE', path: '/api/admin/rate-limits/:agent_id', auth: 'admin',
      async handle({ params }) {
        await limiter.removeOverride(params.agent_id!);
        return typedReply('rate_limit_override_changed', 200, { status: 'removed', agent_id: params.agent_id! });
      },
    },
  ];
}
