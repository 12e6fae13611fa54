// The dashboard socket's answers, hub → dashboard (reference §9): retry_result for retry_task,
// alert_ack_result for acknowledge_alert, and `error` for a frame that failed to parse or validate.
import { Type, type Static } from '@sinclair/typebox';
import { errorFrameSchema } from './agent-replies.ts';

export const retryResultSchema = Type.Object({
  type: Type.Literal('retry_result'),
  task_id: Type.String(),
  status: Type.Union([Type.Literal('requeued'), Type.Literal('not_found')]),
  code: Type.Optional(Type.String()),
});
export const alertAckResultSchema = Type.Object({
  type: Type.Literal('alert_ack_result'),
  rule_id: Type.String(),
  status: Type.Union([Type.Literal('acknowledged'), Type.Literal('not_found')]),
  code: Type.Optional(Type.String()),
});

export const dashboardReplySchemas = [retryResultSchema, alertAckResultSchema, errorFrameSchema];
export type DashboardReply = Static<(typeof dashboardReplySchemas)[number]>;
