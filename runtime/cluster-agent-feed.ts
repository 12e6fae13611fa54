// The agents of the other hubs of a cluster, as dashboard news: each hub's lease (runtime/
// cluster-presence.ts) lists its agents, and this compares them once a second with what it
// last saw, so a dashboard on any hub follows agents on every hub (a card with its hub badge).
// A hub whose lease ran out takes its agents with it. An agent gone from another hub but
// connected here now is left alone: its own events tell its story.
import type { AgentRegistry } from '../actors/agent-registry.ts';
import type { AgentView } from '../storage/domain/agent-view.ts';
import type { ClusterPresence } from './cluster-presence.ts';
import type { HubEvents } from './hub-events.ts';

const comparePeriodMs = 1000;

export function clusterAgentFeed(cluster: ClusterPresence, agents: AgentRegistry, events: HubEvents, now: () => number): () => void {
  let seen = new Map<string, string>();
  const compare = () => {
    const current = new Map<string, AgentView & { hub: string }>();
    for (const agent of cluster.otherAgents()) current.set(agent.agent_id, agent);
    const next = new Map<string, string>();
    for (const [agentId, agent] of current) {
      const shown = JSON.stringify(agent);
      next.set(agentId, shown);
      if (seen.get(agentId) !== shown) events.emit('cluster.agent_seen', now(), { agent });
    }
    for (const agentId of seen.keys()) {
      if (!next.has(agentId) && !agents.get(agentId)?.link) events.emit('cluster.agent_gone', now(), { agentId });
    }
    seen = next;
  };
  const timer = setInterval(compare, comparePeriodMs);
  timer.unref();
  return () => clearInterval(timer);
}
