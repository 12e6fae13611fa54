// task_assign, hub → agent: a durably assigned task, pushed to its agent. The
// sidecar validates what it receives against these same field schemas.
import { Type, type Static } from '@sinclair/typebox';
import { descriptionField, generationField, taskIdField } from './field-limits.ts';
import { pathGlobField } from '../../storage/domain/path-glob.ts';
import { taskLimits } from '../../storage/domain/task-limits.ts';
import type { TaskAssignment } from '../../storage/domain/task-assignment.ts';

export const taskAssignSchema = Type.Object({
  type: Type.Literal('task_assign'),
  task_id: taskIdField,
  description: descriptionField,
  metadata: Type.Record(Type.String(), Type.Unknown()),
  generation: generationField,
  /** Send time, epoch ms (reference). */
  assigned_at: Type.Integer({ minimum: 0 }),
  /** Ours: the lane, urgent 0 … low 3. */
  priority: Type.Integer({ minimum: 0, maximum: 3 }),
  needed_capabilities: Type.Array(Type.String({ minLength: 1, maxLength: taskLimits.capabilityChars }), { maxItems: taskLimits.capabilities }),
  complete_by: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** Ours: the globs this assignment leases (in metadata.repo, or the default repo); agentcom-git keeps commits inside them. */
  paths: Type.Optional(Type.Array(pathGlobField, { maxItems: taskLimits.paths })),
  /** Ours: the tasks this one depended on, with their results; a large result comes as `result_ref` instead. */
  dependencies: Type.Optional(Type.Array(Type.Object({
    task_id: Type.String(),
    status: Type.String(),
    result: Type.Unknown(),
    result_ref: Type.Optional(Type.String()),
    result_bytes: Type.Optional(Type.Integer({ minimum: 0 })),
  }), { maxItems: taskLimits.dependencies })),
});
export type TaskAssign = Static<typeof taskAssignSchema>;

/** Fails to compile unless the domain's TaskAssignment and this schema describe the same frame. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const assignmentMatchesSchema: Same<TaskAssign, TaskAssignment> = true;
void assignmentMatchesSchema;
