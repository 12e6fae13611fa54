// What a route is: method, uWS path pattern, who may call it, what it reads, and its handler.
import type { Logger } from 'winston';
import type { HubPort, Principal } from '../hub-port.ts';
import type { HttpSchemaName } from '../protocol/index.ts';
import type { WireValidator } from '../validation.ts';
import type { Reply } from './reply.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * none: open, as in the reference. agent: any valid token. admin: an admin token
 * (the reference had no admin scope, quirk 10). `queryToken` also accepts `?token=`.
 */
export type RouteAuth = 'none' | 'agent' | 'admin';

export interface RequestContext {
  method: HttpMethod;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Validated against the route's body or query schema when it names one. */
  body: Record<string, unknown>;
  principal: Principal | null;
  /** The Host header, for URLs handed back to clients. */
  host: string;
}

export interface Route {
  method: HttpMethod;
  /** uWS pattern: static segments and `:param`s; static segments win over params. */
  path: string;
  auth: RouteAuth;
  queryToken?: boolean;
  body?: HttpSchemaName;
  query?: HttpSchemaName;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

export interface RouteDeps {
  hub: HubPort;
  validator: WireValidator;
  logger: Logger;
  /** The port the server listens on, for URLs when a request has no Host header. */
  port(): number;
  /** True when the server speaks https and wss: URLs handed out say so. */
  secure?: boolean;
}

/** The principal's name as the hub records it (submitted_by). */
export function principalName(principal: Principal | null): string | null {
  if (!principal) return null;
  return principal.scope === 'admin' ? `admin:${principal.name}` : principal.agentId;
}
