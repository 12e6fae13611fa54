// task_recovering: a restarted sidecar asks whether to continue a task it held.
import { Type, type Static } from '@sinclair/typebox';
import { descriptionField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';

export const taskRecoveringSchema = wsMessage('task_recovering', {
  task_id: taskIdField,
  description: Type.Optional(descriptionField),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  last_status: Type.Optional(Type.String({ maxLength: 64 })),
});
export type TaskRecovering = Static<typeof taskRecoveringSchema>;
