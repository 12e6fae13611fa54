// /api/agents: the connected agents, their FSM states, one agent's state.
import type { AgentView } from '../../storage/domain/agent-view.ts';
import { errorReply, typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

/** The reference's AgentInfo: what `list_agents` and GET /api/agents show. */
export function agentInfo(view: AgentView) {
  return {
    agent_id: view.agent_id, name: view.name, status: view.status,
    capabilities: view.capabilities, connected_at: view.connected_at,
  };
}

/** The reference lists only agents with a live socket; offline ones are remembered but not shown. */
export const connected = (views: AgentView[]) => views.filter((view) => view.fsm_state !== 'offline');

/** On a cluster of hubs (engine jetstream) each agent shows the hub it is connected to. */
export const hubOf = (view: AgentView) => (view.hub ? { hub: view.hub } : {});

function stateView(view: AgentView) {
  return {
    agent_id: view.agent_id, fsm_state: view.fsm_state, current_task_id: view.current_task_id,
    capabilities: view.capabilities, flags: view.flags, connected_at: view.connected_at, name: view.name,
  };
}

export function agentRoutes({ hub: { sessions } }: RouteDeps): Route[] {
  return [
    {
      // A bare {agents} object as in the reference; old add-agent.js expected an array (quirk 9)
      // and only its collision check depends on that.
      method: 'GET', path: '/api/agents', auth: 'none',
      handle: () => typedReply('agent_list', 200, { agents: connected(sessions.listAgents()).map((v) => ({ ...agentInfo(v), fsm_state: v.fsm_state, ...hubOf(v) })) }),
    },
    {
      method: 'GET', path: '/api/agents/states', auth: 'agent',
      handle: () => typedReply('agent_states', 200, { agents: connected(sessions.listAgents()).map((v) => ({ ...stateView(v), ...hubOf(v) })) }),
    },
    {
      method: 'GET', path: '/api/agents/:id/state', auth: 'agent',
      handle({ params }) {
        const view = sessions.agentState(params.id!);
        if (!view) return errorReply('AC_ERR_AGENT_NOT_FOUND', { agent_id: params.id });
        return typedReply('agent_state', 200, { ...stateView(view), ...hubOf(view), last_state_change: view.last_state_change, last_seen: view.last_seen });
      },
    },
  ];
}
