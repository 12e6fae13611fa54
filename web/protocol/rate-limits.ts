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

// Replies of the rate-limit admin routes; the limiter's view is this schema's type
// (web/rate-limits/rate-limiter.ts RateLimitsView) and the dashboard snapshot's `rate_limits`.
const count = Type.Integer({ minimum: 0 });
const tierLimits = Type.Object({ light: tierLimit, normal: tierLimit, heavy: tierLimit });
const tierOverrides = Type.Partial(tierLimits);

/** One bucket key denied in the last minute (`agent:<id>`, `ip:<address>`). */
export const rateLimitedSubjectSchema = Type.Object({
  key: Type.String(),
  agent_id: Type.Union([Type.String(), Type.Null()]),
  /** Strings, as the dashboard's rate_limited event carries them. */
  tier: Type.String(),
  channel: Type.String(),
  retry_after_ms: count,
  denied_at: count,
  denials: count,
});

/** GET /api/admin/rate-limits: the defaults, the overrides by agent, the whitelist, and who was limited lately (newest first). */
export const rateLimitsViewSchema = Type.Object({
  defaults: tierLimits,
  overrides: Type.Record(Type.String(), tierOverrides),
  whitelist: Type.Array(Type.String()),
  limited: Type.Array(rateLimitedSubjectSchema),
});
export type RateLimitsView = Static<typeof rateLimitsViewSchema>;

/** GET /api/admin/rate-limits/whitelist. */
export const whitelistSchema = Type.Object({ whitelist: Type.Array(Type.String()) });

/** The whitelist after a change: PUT sets it, POST adds one agent, DELETE removes one. */
export const whitelistChangedSchema = Type.Object({
  status: Type.Union([Type.Literal('updated'), Type.Literal('added'), Type.Literal('removed')]),
  agent_id: Type.Optional(Type.String()),
  whitelist: Type.Array(Type.String()),
});

/** PUT and DELETE /api/admin/rate-limits/:agent_id: the agent's overrides after the change (none after DELETE). */
export const rateLimitOverrideChangedSchema = Type.Object({
  status: Type.Union([Type.Literal('updated'), Type.Literal('removed')]),
  agent_id: Type.String(),
  overrides: Type.Optional(tierOverrides),
});
