// task_accepted: the agent took the assignment (reference §3 step 2).
import { Type, type Static } from '@sinclair/typebox';
import { generationField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskAcceptedSchema = wsMessage('task_accepted', {
  task_id: taskIdField,
  /** Ours: v1.1 sidecars omit it; when present the accept is fenced like a report. */
  generation: Type.Optional(generationField),
});
export type TaskAccepted = Static<typeof taskAcceptedSchema>;
