// Dashboard socket frames, client → hub (reference §9).
import { Type, type Static } from '@sinclair/typebox';
import { taskIdField, tokenField } from './field-limits.ts';

const frame = <T extends string, P extends import('@sinclair/typebox').TProperties>(type: T, properties: P) =>
  Type.Object({ ...properties, type: Type.Literal(type) }, { additionalProperties: true, $id: `dashboard/${type}` });

/** Ours: a browser cannot set headers on a WebSocket, so it may send the admin token first. */
export const dashboardAuthSchema = frame('auth', { token: tokenField });
export const requestSnapshotSchema = frame('request_snapshot', {});
export const retryTaskSchema = frame('retry_task', { task_id: taskIdField });
export const acknowledgeAlertSchema = frame('acknowledge_alert', { rule_id: Type.String({ minLength: 1, maxLength: 128 }) });

export type DashboardAuth = Static<typeof dashboardAuthSchema>;
export type RetryTask = Static<typeof retryTaskSchema>;
export type AcknowledgeAlert = Static<typeof acknowledgeAlertSchema>;

export const dashboardSchemas = [dashboardAuthSchema, requestSnapshotSchema, retryTaskSchema, acknowledgeAlertSchema];
/** Any dashboard frame that passed its schema: the validator narrows to this, `type` discriminates. */
export type DashboardFrame = Static<(typeof dashboardSchemas)[number]>;
