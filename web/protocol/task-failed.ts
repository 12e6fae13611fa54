// task_failed: a fenced failure report; the hub retries or dead-letters (reference §3 step 5).
import { Type, type Static } from '@sinclair/typebox';
import { errorField, generationField, reasonField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskFailedSchema = wsMessage('task_failed', {
  task_id: taskIdField,
  generation: generationField,
  error: Type.Optional(errorField),
  reason: Type.Optional(reasonField),
});
export type TaskFailed = Static<typeof taskFailedSchema>;
