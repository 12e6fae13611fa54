// GET /health: open, cheap, and what a load balancer polls. Degraded still answers 200.
import { Type, type Static } from '@sinclair/typebox';

const count = Type.Integer({ minimum: 0 });

/** Why the hub is degraded: a storage write fault (with `since`), or a storage-operations reason ("code: detail"). */
export const healthReasonSchema = Type.Object({
  reason: Type.String(),
  detail: Type.Optional(Type.String()),
  since: Type.Optional(count),
});
export type HealthReason = Static<typeof healthReasonSchema>;

export const healthReplySchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  service: Type.Literal('agent_com'),
  agents_connected: count,
  version: Type.String(),
  uptime_ms: count,
  reasons: Type.Array(healthReasonSchema),
});
