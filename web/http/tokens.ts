// Token management: /admin/tokens as in the reference, also mounted under /api/admin/tokens.
// Admin scope, except that an agent may revoke its own tokens (remove-agent.js does).
import { errorReply, failureReply, forbidden, typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function tokenRoutes({ hub: { access } }: RouteDeps): Route[] {
  return ['/admin/tokens', '/api/admin/tokens'].flatMap((base): Route[] => [
    {
      method: 'POST', path: base, auth: 'admin', body: 'token_create',
      async handle({ body }) {
        const request = body;
        if (!request.admin && !request.agent_id) {
          return errorReply('AC_ERR_VALIDATION', {
            errors: [{ field: 'agent_id', error: 'required', detail: 'agent_id is required for an agent token' }],
          });
        }
        const created = await access.createToken({
          ...(request.agent_id ? { agentId: request.agent_id } : {}),
          ...(request.admin ? { admin: true } : {}),
          ...(request.name ? { name: request.name } : {}),
        });
        if (!created.ok) return failureReply(created);
        const { token, info } = created.value;
        return typedReply('token_created', 201, { agent_id: info.agent_id, token, scope: info.scope, name: info.name, token_prefix: info.token_prefix });
      },
    },
    {
      method: 'GET', path: base, auth: 'admin',
      handle: () => typedReply('token_list', 200, { tokens: access.listTokens() }),
    },
    {
      method: 'DELETE', path: `${base}/:agent_id`, auth: 'agent',
      async handle({ params, principal }) {
        const agentId = params.agent_id!;
        if (principal?.scope === 'agent' && principal.agentId !== agentId) return forbidden();
        const revoked = await access.revokeAgentTokens(agentId);
        if (!revoked.ok) return failureReply(revoked, { agent_id: agentId });
        return typedReply('tokens_revoked', 200, { status: 'revoked', agent_id: agentId, count: revoked.value });
      },
    },
  ]);
}
