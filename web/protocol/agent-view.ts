// An agent as the wire shows it: the reference's AgentInfo (presence frames, the `agents`
// reply) and the fuller view the dashboard and GET /api/agents/states carry. The view's type
// is the domain's (storage/domain/agent-view.ts); this schema fails to compile unless it matches.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { AgentView } from '../../storage/domain/agent-view.ts';
import { agentIdField, nameField, statusField } from './field-limits.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const capabilitiesField = Type.Array(Type.String());

/** The reference's AgentInfo: who the agent is and since when its socket is open. */
export const agentInfoSchema = Type.Object({
  agent_id: agentIdField,
  name: nameField,
  status: statusField,
  capabilities: capabilitiesField,
  connected_at: nullable(Type.Integer({ minimum: 0 })),
});
export type AgentInfo = Static<typeof agentInfoSchema>;

export const agentFsmStates = ['offline', 'idle', 'assigned', 'working', 'blocked', 'stopping'] as const;

/** AgentInfo plus the agent machine's view, fleet control and, on a cluster, the hub it is on. */
export const agentViewSchema = Type.Object({
  ...agentInfoSchema.properties,
  fsm_state: Type.Union(agentFsmStates.map((state) => Type.Literal(state))),
  current_task_id: nullable(Type.String()),
  current_task_description: Type.Optional(nullable(Type.String())),
  flags: Type.Array(Type.String()),
  last_state_change: Type.Integer({ minimum: 0 }),
  last_seen: nullable(Type.Integer({ minimum: 0 })),
  tasks_completed: Type.Integer({ minimum: 0 }),
  provider: Type.Optional(Type.String()),
  blocked_reason: Type.Optional(Type.Union([Type.Literal('breaker'), Type.Literal('rate_limited')])),
  blocked_until: Type.Optional(nullable(Type.Integer({ minimum: 0 }))),
  consecutive_failures: Type.Optional(Type.Integer({ minimum: 0 })),
  no_progress_since: Type.Optional(Type.Integer({ minimum: 0 })),
  hub: Type.Optional(Type.String()),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const viewMatchesDomain: Same<Static<typeof agentViewSchema>, AgentView> = true;
void viewMatchesDomain;

// HTTP replies of /api/agents: who is connected, and the machine's view of each.
const view = agentViewSchema.properties;

/** GET /api/agents: the connected agents (reference AgentInfo), with their machine state and, on a cluster, their hub. */
export const agentListSchema = Type.Object({
  agents: Type.Array(Type.Object({ ...agentInfoSchema.properties, fsm_state: view.fsm_state, hub: view.hub })),
});

/** One agent's machine state as GET /api/agents/states lists it. */
export const agentStateSchema = Type.Object({
  agent_id: view.agent_id, fsm_state: view.fsm_state, current_task_id: view.current_task_id, capabilities: view.capabilities,
  flags: view.flags, connected_at: view.connected_at, name: view.name, hub: view.hub,
});
export type AgentState = Static<typeof agentStateSchema>;

/** GET /api/agents/states: the connected agents' machine states. */
export const agentStatesSchema = Type.Object({ agents: Type.Array(agentStateSchema) });

/** GET /api/agents/:id/state: one agent, also when offline, with when it last changed state and was last seen. */
export const agentStateDetailSchema = Type.Object({
  ...agentStateSchema.properties, last_state_change: view.last_state_change, last_seen: view.last_seen,
});
