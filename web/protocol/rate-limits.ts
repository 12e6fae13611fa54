// Bodies of the rate-limit admin routes (reference §4, §8).
import { Type, type Static } from '@sinclair/typebox';
import { agentIdField } from './field-limits.ts';

const tierLimit = Type.Object({
  capacity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  refill_rate_per_min: Type.Number({ minimum: 0, maximum: 10_000_000 }),
}, { additionalProperties: false });

/** PUT /api/admin/rate-limits/:agent_id: at least one tier (checked in the route: the reference answers `invalid_overrides`). */
export const rateLimitOverrideSchema = Type.Object({
  light: Type.Optional(tierLimit),
  normal: Type.Optional(tierLimit),
  heavy: Type.Optional(tierLimit),
}, { additionalProperties: true, $id: 'http/rate_limit_override' });
export type RateLimitOverride = Static<typeof rateLimitOverrideSchema>;

/** PUT /api/admin/rate-limits/whitelist. */
export const whitelistSetSchema = Type.Object({
  agent_ids: Type.Array(agentIdField, { maxItems: 10_000 }),
}, { additionalProperties: true, $id: 'http/whitelist_set' });
export type WhitelistSet = Static<typeof whitelistSetSchema>;

/** POST /api/admin/rate-limits/whitelist. */
export const whitelistAddSchema = Type.Object({ agent_id: agentIdField }, { additionalProperties: true, $id: 'http/whitelist_add' });
export type WhitelistAdd = Static<typeof whitelistAddSchema>;
