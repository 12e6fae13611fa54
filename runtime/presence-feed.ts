// Presence for agents: the hub's own agent_joined, agent_left and status_changed
// events, republished on the `presence` topic to every other connected agent.
import { viewOf, type AgentRegistry } from '../actors/agent-registry.ts';
import type { AgentLink, AgentView, HubEvent } from '../web/hub-port.ts';
import type { HubEvents } from './hub-events.ts';

export type PresencePublish = (topic: string, frame: Record<string, unknown>, from: AgentLink | null) => void;

export const presenceTopic = 'presence';
const presenceTypes = new Set(['agent_joined', 'agent_left', 'status_changed']);

/**
 * Subscribes to the hub events; returns the unsubscribe function. With more than
 * `maxAgents` connected, nothing is pushed: each join would reach every other agent,
 * and a mass reconnect of n agents would cost n² frames (list_agents still answers).
 */
export function presenceFeed(events: HubEvents, agents: AgentRegistry, maxAgents: number, publish: PresencePublish): () => void {
  /** The free-text status last announced per agent: FSM transitions also emit status_changed, and agents hear only the status. */
  const announced = new Map<string, string>();
  return events.subscribe((event: HubEvent) => {
    if (!presenceTypes.has(event.type) || agents.connectedCount() > maxAgents) return;
    switch (event.type) {
      case 'agent_joined': {
        const view = event.agent as AgentView;
        announced.set(view.agent_id, view.status);
        // From the agent's own socket, which uWS skips: an agent never hears its own join.
        publish(presenceTopic, { type: 'agent_joined', agent: agentInfo(view) }, linkOf(agents, view.agent_id));
        return;
      }
      case 'agent_left':
        announced.delete(event.agent_id as string);
        publish(presenceTopic, { type: 'agent_left', agent_id: event.agent_id }, null);
        return;
      case 'status_changed': {
        const view = event.agent as AgentView;
        const entry = agents.get(view.agent_id);
        // Not announced yet: the FSM moves offline → idle inside the connect, before agent_joined.
        const before = announced.get(view.agent_id);
        if (!entry?.link || before === undefined || before === view.status) return;
        announced.set(view.agent_id, view.status);
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
