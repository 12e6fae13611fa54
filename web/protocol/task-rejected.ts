// task_rejected: the sidecar declined an assignment (e.g. busy). The original had no
// schema for it (reference quirk 1); we reclaim the task at once.
import { Type, type Static } from '@sinclair/typebox';
import { generationField, reasonField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskRejectedSchema = wsMessage('task_rejected', {
  task_id: taskIdField,
  reason: Type.Optional(reasonField),
  generation: Type.Optional(generationField),
});
export type TaskRejected = Static<typeof taskRejectedSchema>;
