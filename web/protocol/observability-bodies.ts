// HTTP bodies of the alert thresholds and heartbeat interval settings (reference §4, §9).
import { Type, type Static } from '@sinclair/typebox';
import { alertCooldownsSchema, alertThresholdsSchema } from '../../storage/domain/alert-thresholds.ts';

const positiveMs = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 });

/**
 * PUT /api/config/alert-thresholds: any subset of the thresholds, each within the domain's limits
 * (storage/domain/alert-thresholds.ts), merged over the stored value and the defaults; unknown keys are ignored.
 */
export const alertThresholdsBodySchema = Type.Object({
  ...Type.Partial(Type.Omit(alertThresholdsSchema, ['cooldowns'])).properties,
  cooldowns: Type.Optional(Type.Partial(alertCooldownsSchema)),
}, { additionalProperties: true, $id: 'http/alert_thresholds' });
export type AlertThresholdsBody = Static<typeof alertThresholdsBodySchema>;

/** PUT /api/config/heartbeat-interval. Stored for sidecars that read it (reference: stored only). */
export const heartbeatIntervalSchema = Type.Object({ heartbeat_interval_ms: positiveMs }, { additionalProperties: true, $id: 'http/heartbeat_interval' });
export type HeartbeatIntervalBody = Static<typeof heartbeatIntervalSchema>;
