// The reference's length limits (§7), applied to any field with that name in any
// message, and the field schemas built on them. A leaf: imports only TypeBox.
import { Type, type TProperties, type TSchema } from '@sinclair/typebox';

/** Characters, per field name, wherever the field appears. */
export const fieldLimits = {
  agent_id: 128,
  description: 10_000,
  status: 256,
  channel: 64,
  token: 256,
  error: 2_000,
  reason: 2_000,
  name: 256,
} as const;

export const agentIdField = Type.String({ maxLength: fieldLimits.agent_id });
export const tokenField = Type.String({ maxLength: fieldLimits.token });
export const nameField = Type.String({ maxLength: fieldLimits.name });
export const statusField = Type.String({ maxLength: fieldLimits.status });
export const errorField = Type.String({ maxLength: fieldLimits.error });
export const reasonField = Type.String({ maxLength: fieldLimits.reason });
export const channelField = Type.String({ maxLength: fieldLimits.channel });
export const descriptionField = Type.String({ maxLength: fieldLimits.description });
/** Task ids are `task-` + 16 hex in the reference; we only bound them. */
export const taskIdField = Type.String({ minLength: 1, maxLength: 128 });
export const generationField = Type.Integer({ minimum: 0 });

/**
 * Adds the limited names a message does not declare as optional, type-free
 * `maxLength` checks, so an over-long undeclared `reason` or `name` is refused
 * like a declared one while values of other types still pass (unknown fields pass).
 */
export function withFieldLimits<P extends TProperties>(properties: P): P {
  const all: TProperties = { ...properties };
  for (const [field, maxLength] of Object.entries(fieldLimits)) {
    if (!(field in all)) all[field] = Type.Optional(Type.Unknown({ maxLength }) as TSchema);
  }
  return all as P;
}
