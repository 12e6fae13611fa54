// Access: tokens and their scopes, the operator's env admin token, and who may register.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenOwner, TokenRecord, TokenStore } from '../../storage/token-store.ts';
import type { AccessPort, Principal, TokenInfo } from '../../web/ports/access-port.ts';
import type { Enrollment, RegistrationMode } from '../enrollment.ts';
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { AgentSessions } from './agent-sessions.ts';

export interface AccessDeps {
  tokens: TokenStore;
  /** An operator-set admin token (AGENTCOM_ADMIN_TOKEN); kept in memory only, compared in constant time. */
  envAdminToken: string | null;
  enrollment: Enrollment;
  sessions: AgentSessions;
  log: Logger;
}

export class Access implements AccessPort {
  constructor(private readonly deps: AccessDeps) {}

  authenticate(token: string): Principal | null {
    if (this.deps.envAdminToken && sameSecret(token, this.deps.envAdminToken)) return { scope: 'admin', name: 'env' };
    return principalOf(this.deps.tokens.verify(token));
  }

  async authenticateCurrent(token: string): Promise<Principal | null> {
    return this.authenticate(token) ?? principalOf(await this.deps.tokens.verifyCurrent(token));
  }

  async registerAgent(agentId: string): Promise<Result<{ agent_id: string; token: string }>> {
    if (this.deps.tokens.hasAgent(agentId)) return fail('AC_ERR_AGENT_ALREADY_REGISTERED', agentId);
    const { token } = await this.deps.tokens.create({ scope: 'agent', agentId, name: agentId });
    this.deps.log.info('agent registered', { agent_id: agentId });
    return ok({ agent_id: agentId, token });
  }

  async createToken(request: { agentId?: string; admin?: boolean; name?: string }): Promise<Result<{ token: string; info: TokenInfo }>> {
    const scope = request.admin ? 'admin' : 'agent';
    if (scope === 'agent' && !request.agentId) return fail('AC_ERR_VALIDATION', 'agent_id is required for an agent token');
    const name = request.name ?? request.agentId ?? 'admin';
    const { token, record } = await this.deps.tokens.create({ scope, agentId: request.agentId, name });
    return ok({ token, info: tokenInfoOf(record) });
  }

  registrationMode(): RegistrationMode {
    return this.deps.enrollment.mode;
  }

  issueEnrollmentToken(ttlMs: number): Promise<{ token: string; expires_at: number }> {
    return this.deps.enrollment.issue(ttlMs);
  }

  consumeEnrollmentToken(token: string): Promise<boolean> {
    return this.deps.enrollment.consume(token);
  }

  listTokens(): TokenInfo[] {
    return this.deps.tokens.list().map(tokenInfoOf);
  }

  async revokeAgentTokens(agentId: string): Promise<Result<number>> {
    const revoked = await this.deps.tokens.revokeAgent(agentId);
    if (revoked === 0) return fail('AC_ERR_AGENT_NOT_FOUND', agentId);
    // Removed, not just offline: its held task goes back to the queue and the agent leaves the board.
    await this.deps.sessions.forget(agentId);
    this.deps.log.notice('agent tokens revoked', { agent_id: agentId, count: revoked });
    return ok(revoked);
  }

  /** Another hub of the cluster revoked the agent's tokens: its socket here closes as if revoked here. */
  async tokensRevokedElsewhere(agentId: string): Promise<void> {
    await this.deps.sessions.forget(agentId);
    this.deps.log.notice('agent tokens revoked on another hub', { agent_id: agentId });
  }
}

function tokenInfoOf(record: TokenRecord): TokenInfo {
  return { agent_id: record.agent_id, name: record.name, scope: record.scope, token_prefix: record.token_prefix, created_at: record.created_at };
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function principalOf(found: TokenOwner | null): Principal | null {
  if (!found) return null;
  return found.scope === 'admin' ? { scope: 'admin', name: found.name } : { scope: 'agent', agentId: found.agentId ?? found.name };
}
