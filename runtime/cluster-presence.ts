// What the hub needs to know of the other hubs on one JetStream cluster: which hub an agent
// is connected to, and the agents of the others (storage/jetstream/hub-presence.ts keeps it).
// A hub on LMDB has none: it is alone.
import type { AgentView } from '../storage/domain/agent-view.ts';

export interface ClusterPresence {
  hubName: string;
  /** The live other hub `agentId` is connected to, or null. */
  hubOf(agentId: string): string | null;
  otherAgents(): Array<AgentView & { hub: string }>;
  /** One of this hub's agents joined, left or changed state. */
  changed(): void;
}
