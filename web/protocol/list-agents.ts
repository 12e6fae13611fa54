// list_agents: answered with agents {agents: [AgentInfo]}.
import type { Static } from '@sinclair/typebox';
import { wsMessage } from './ws-message.ts';

export const listAgentsSchema = wsMessage('list_agents', {});
export type ListAgents = Static<typeof listAgentsSchema>;
