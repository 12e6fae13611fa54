// HTTP replies of access: registering an agent, creating, listing and revoking tokens,
// and issuing an enrollment token. A token is shown once, in the reply that creates it.
import { Type, type Static } from '@sinclair/typebox';

const at = Type.Integer({ minimum: 0 });
const scope = Type.Union([Type.Literal('admin'), Type.Literal('agent')]);

/** A token as listed: never the token itself, only its first characters. */
export const tokenInfoSchema = Type.Object({
  agent_id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  scope,
  token_prefix: Type.String(),
  created_at: at,
});
export type TokenInfo = Static<typeof tokenInfoSchema>;

/** POST /api/onboard/register (201): the agent's token and where to reach the hub. */
export const agentRegisteredSchema = Type.Object({
  agent_id: Type.String(),
  token: Type.String(),
  hub_ws_url: Type.String(),
  hub_api_url: Type.String(),
  default_repo: Type.Union([Type.String(), Type.Null()]),
});

/** POST /admin/tokens (201). */
export const tokenCreatedSchema = Type.Object({
  agent_id: Type.Union([Type.String(), Type.Null()]),
  token: Type.String(),
  scope,
  name: Type.String(),
  token_prefix: Type.String(),
});

/** GET /admin/tokens. */
export const tokenListSchema = Type.Object({ tokens: Type.Array(tokenInfoSchema) });

/** DELETE /admin/tokens/:agent_id: how many of the agent's tokens were revoked. */
export const tokensRevokedSchema = Type.Object({ status: Type.Literal('revoked'), agent_id: Type.String(), count: Type.Integer({ minimum: 0 }) });

/** POST /api/admin/enrollment-tokens (201): a single-use token for one agent to register with. */
export const enrollmentTokenIssuedSchema = Type.Object({
  token: Type.String(),
  expires_at: at,
  registration: Type.Union([Type.Literal('open'), Type.Literal('token'), Type.Literal('closed')]),
  single_use: Type.Literal(true),
});
