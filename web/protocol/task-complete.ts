// task_complete: a fenced result report (reference §3 step 4).
import { Type, type Static } from '@sinclair/typebox';
import { generationField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskCompleteSchema = wsMessage('task_complete', {
  task_id: taskIdField,
  /** Required by the reference; a report without it is refused, never treated as 0 silently. */
  generation: generationField,
  result: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  tokens_used: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type TaskComplete = Static<typeof taskCompleteSchema>;
