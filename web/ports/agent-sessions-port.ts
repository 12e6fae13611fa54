// Agent sessions: sockets coming and going, liveness, status, and the agents as listed.
import type { AgentIdentity } from '../../storage/domain/agent-identity.ts';
import type { AgentLink, AnyAgentLink } from '../../storage/domain/agent-link.ts';
import type { AgentView } from '../../storage/domain/agent-view.ts';
import type { AgentOutboundFrame } from '../protocol/index.ts';

/** An agent's socket as the hub holds it: it sends only the outbound agent frames web/protocol declares. */
export type AgentSocketLink = AgentLink<AgentOutboundFrame>;

export interface AgentSessionsPort {
  /** Called after the token was checked; replaces any older socket of the same agent. */
  agentConnected(identity: AgentIdentity, link: AgentSocketLink): void;
  agentDisconnected(agentId: string, link: AnyAgentLink): void;
  /** Any inbound frame counts as liveness (reference quirk 12). */
  agentSeen(agentId: string): void;
  setAgentStatus(agentId: string, status: string): void;
  listAgents(): AgentView[];
  agentState(agentId: string): AgentView | undefined;
}
