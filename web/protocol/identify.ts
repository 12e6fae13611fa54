// identify: the first frame on the agent socket (reference §1).
import { Type, type Static } from '@sinclair/typebox';
import { agentIdField, nameField, statusField, tokenField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

/** One capability name, and how many an agent may declare. */
export const capabilityField = Type.String({ maxLength: 128 });
export const maxCapabilities = 32;

export const identifySchema = wsMessage('identify', {
  agent_id: agentIdField,
  token: tokenField,
  /** Defaults to agent_id. */
  name: Type.Optional(nameField),
  /** Defaults to "connected". */
  status: Type.Optional(statusField),
  capabilities: Type.Optional(Type.Array(capabilityField, { maxItems: maxCapabilities })),
  client_type: Type.Optional(Type.String({ maxLength: 64 })),
  protocol_version: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Ours: the model provider the agent runs on (e.g. anthropic, openai), counted against provider_limits. */
  provider: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' })),
});
export type Identify = Static<typeof identifySchema>;
