// task_progress: refreshes the task's updated_at (and its cumulative tokens_used); no reply.
import { Type, type Static } from '@sinclair/typebox';
import { generationField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskProgressSchema = wsMessage('task_progress', {
  task_id: taskIdField,
  progress: Type.Optional(Type.Integer()),
  generation: Type.Optional(generationField),
  /** Ours: tokens the task used so far (cumulative); checked against its budget_tokens. */
  tokens_used: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type TaskProgress = Static<typeof taskProgressSchema>;
