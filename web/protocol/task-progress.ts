// task_progress: refreshes the task's updated_at; no reply.
import { Type, type Static } from '@sinclair/typebox';
import { generationField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskProgressSchema = wsMessage('task_progress', {
  task_id: taskIdField,
  progress: Type.Optional(Type.Integer()),
  generation: Type.Optional(generationField),
});
export type TaskProgress = Static<typeof taskProgressSchema>;
