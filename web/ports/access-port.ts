// Access: tokens, scopes and who may register (HTTP auth, /ws identify, the dashboard's admin check).
import type { Result } from '../../storage/domain/errors.ts';
import type { TokenInfo } from '../protocol/access-replies.ts';

/** Who a token belongs to. Admin tokens may do everything; agent tokens act for one agent. */
export type Principal = { scope: 'admin'; name: string } | { scope: 'agent'; agentId: string };

export type { TokenInfo };

export interface AccessPort {
  authenticate(token: string): Principal | null;
  /**
   * `authenticate` against every token write acknowledged before the call, on any hub of a cluster
   * (a miss may read the store): for an identify, where a sidecar may have registered elsewhere just before.
   */
  authenticateCurrent(token: string): Promise<Principal | null>;
  registerAgent(agentId: string): Promise<Result<{ agent_id: string; token: string }>>;
  createToken(request: { agentId?: string; admin?: boolean; name?: string }): Promise<Result<{ token: string; info: TokenInfo }>>;
  listTokens(): TokenInfo[];
  /** open | token | closed (config `registration`). */
  registrationMode(): 'open' | 'token' | 'closed';
  /** A short-lived, single-use token that lets one agent register in `token` mode. */
  issueEnrollmentToken(ttlMs: number): Promise<{ token: string; expires_at: number }>;
  /** True once for a live enrollment token; it is used up. */
  consumeEnrollmentToken(token: string): Promise<boolean>;
  /** Revokes every token of the agent and closes its open socket at once. */
  revokeAgentTokens(agentId: string): Promise<Result<number>>;
}
