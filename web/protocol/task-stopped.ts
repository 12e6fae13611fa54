// task_stopped: the sidecar ended the work of a task the hub cancelled (it killed the
// wake command's process group and skipped the git submit); the agent is free for the next task.
import { Type, type Static } from '@sinclair/typebox';
import { generationField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskStoppedSchema = wsMessage('task_stopped', {
  task_id: taskIdField,
  generation: Type.Optional(generationField),
});
export type TaskStopped = Static<typeof taskStoppedSchema>;
