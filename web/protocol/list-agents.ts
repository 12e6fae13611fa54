// list_agents: answered with agents {agents: [AgentInfo]}, each with its `hub` on a cluster of hubs.
import { Type, type Static } from '@sinclair/typebox';
import { agentInfoSchema } from './agent-view.ts';
import { wsMessage } from './ws-message.ts';

export const listAgentsSchema = wsMessage('list_agents', {});
export type ListAgents = Static<typeof listAgentsSchema>;

/** The connected agents; offline ones are remembered but not listed (reference). */
export const agentsReplySchema = Type.Object({
  type: Type.Literal('agents'),
  agents: Type.Array(Type.Object({ ...agentInfoSchema.properties, hub: Type.Optional(Type.String()) })),
});
export type AgentsReply = Static<typeof agentsReplySchema>;
