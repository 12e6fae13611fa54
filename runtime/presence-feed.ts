// Presence for agents: the hub's agent.joined, agent.left and agent.status_changed
// events, republished on the `presence` topic to every other connected agent as the
// reference's agent_joined, agent_left and status_changed.
import { viewOf, type AgentRegistry } from '../actors/agent-registry.ts';
import type { AnyAgentLink } from '../storage/domain/agent-link.ts';
import type { AgentView } from '../storage/domain/agent-view.ts';
import type { PresenceFrame } from '../web/protocol/presence.ts';
import type { HubEvents, TypedHubEvent } from './hub-events.ts';

export type PresencePublish = (topic: string, frame: PresenceFrame, from: AnyAgentLink | null) => void;

export const presenceTopic = 'presence';
const presenceTypes = new Set<TypedHubEvent['type']>(['agent.joined', 'agent.left', 'agent.status_changed']);

/**
 * Subscribes to the hub events; returns the unsubscribe function. With more than
 * `maxAgents` connected, nothing is pushed: each join would reach every other agent,
 * and a mass reconnect of n agents would cost n² frames (list_agents still answers).
 */
export function presenceFeed(events: HubEvents, agents: AgentRegistry, maxAgents: number, publish: PresencePublish): () => void {
  /** The free-text status last announced per agent: an unchanged status is not announced again. */
  const announced = new Map<string, string>();
  return events.subscribe((event: TypedHubEvent) => {
    if (!presenceTypes.has(event.type) || agents.connectedCount() > maxAgents) return;
    switch (event.type) {
      case 'agent.joined': {
        const view = viewOf(event.agent);
        announced.set(view.agent_id, view.status);
        // From the agent's own socket, which uWS skips: an agent never hears its own join.
        publish(presenceTopic, { type: 'agent_joined', agent: agentInfo(view) }, linkOf(agents, view.agent_id));
        return;
      }
      case 'agent.left':
        announced.delete(event.agent.agentId);
        publish(presenceTopic, { type: 'agent_left', agent_id: event.agent.agentId }, null);
        return;
      case 'agent.status_changed': {
        const entry = event.agent;
        const before = announced.get(entry.agentId);
        if (!entry.link || before === undefined || before === entry.identity.status) return;
        announced.set(entry.agentId, entry.identity.status);
        publish(presenceTopic, { type: 'status_changed', agent: agentInfo(viewOf(entry)) }, entry.link);
        return;
      }
    }
  });
}

/** The reference's AgentInfo. */
function agentInfo(view: AgentView) {
  return { agent_id: view.agent_id, name: view.name, status: view.status, capabilities: view.capabilities, connected_at: view.connected_at };
}

const linkOf = (agents: AgentRegistry, agentId: string) => agents.get(agentId)?.link ?? null;
