// Presence on the agent socket, hub → agent (reference §2): another agent joined, left or
// changed its status. Pushed on the `presence` topic to every other connected agent.
import { Type, type Static } from '@sinclair/typebox';
import { agentInfoSchema } from './agent-view.ts';
import { agentIdField } from './field-limits.ts';

export const agentJoinedSchema = Type.Object({ type: Type.Literal('agent_joined'), agent: agentInfoSchema });
export const agentLeftSchema = Type.Object({ type: Type.Literal('agent_left'), agent_id: agentIdField });
export const statusChangedSchema = Type.Object({ type: Type.Literal('status_changed'), agent: agentInfoSchema });

export const presenceSchemas = [agentJoinedSchema, agentLeftSchema, statusChangedSchema];
export type PresenceFrame = Static<(typeof presenceSchemas)[number]>;
