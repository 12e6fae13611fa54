// HTTP replies of the alert and heartbeat routes (reference §4, §9). The metrics snapshot is
// web/protocol/metrics-snapshot.ts; an alert is the dashboard's activeAlertSchema.
import { Type, type Static } from '@sinclair/typebox';
import { alertThresholdsSchema } from '../../storage/domain/alert-thresholds.ts';
import { activeAlertSchema } from './dashboard-events.ts';

const ms = Type.Integer({ minimum: 0 });

/** GET /api/alerts: the alerts firing now. */
export const alertListSchema = Type.Object({ alerts: Type.Array(activeAlertSchema), timestamp: ms });

/** POST /api/alerts/:rule_id/acknowledge. */
export const alertAcknowledgedReplySchema = Type.Object({ status: Type.Literal('acknowledged'), rule_id: Type.String() });

/**
 * PUT /api/config/alert-thresholds: the settings now in force, used from the next check. GET
 * answers with the settings alone: the domain's schema (storage/domain/alert-thresholds.ts).
 */
export const alertThresholdsUpdatedSchema = Type.Object({
  status: Type.Literal('updated'), effective: Type.Literal('next_check_cycle'), thresholds: alertThresholdsSchema,
});

/** GET and PUT /api/config/heartbeat-interval (PUT adds `status`). */
export const heartbeatIntervalReplySchema = Type.Object({ heartbeat_interval_ms: ms, status: Type.Optional(Type.Literal('updated')) });
