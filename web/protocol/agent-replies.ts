// Hub → agent frames other than task_assign: the answers to an agent's frames
// (identified, pong, status_updated, task_ack, task_continue, task_reassign), the
// cancel notice and the resume after a rate limit. Error frames are described in runtime/errors.ts and keep JSON.stringify.
import { Type, type Static } from '@sinclair/typebox';
import { agentIdField, generationField, statusField, taskIdField } from './field-limits.ts';

export const identifiedSchema = Type.Object({ type: Type.Literal('identified'), agent_id: agentIdField });
export const pongSchema = Type.Object({ type: Type.Literal('pong'), timestamp: Type.Integer({ minimum: 0 }) });
export const statusUpdatedSchema = Type.Object({ type: Type.Literal('status_updated'), status: statusField });
export const taskAckStatuses = ['accepted', 'complete', 'retried', 'dead_letter', 'rejected', 'stopped', 'parked'] as const;
export const taskAckSchema = Type.Object({
  type: Type.Literal('task_ack'),
  task_id: taskIdField,
  status: Type.Union(taskAckStatuses.map((status) => Type.Literal(status))),
});
export const taskContinueSchema = Type.Object({ type: Type.Literal('task_continue'), task_id: taskIdField, generation: generationField });
export const taskReassignSchema = Type.Object({ type: Type.Literal('task_reassign'), task_id: taskIdField });
/**
 * The hub cancelled a task the agent holds (its assignment `generation`): stop the work and answer task_stopped.
 * `reason` is absent for an operator's cancel and `budget_exceeded` when the task passed its budget_tokens.
 */
export const taskCancelledSchema = Type.Object({
  type: Type.Literal('task_cancelled'), task_id: taskIdField, generation: generationField,
  reason: Type.Optional(Type.Literal('budget_exceeded')),
});
/** The rate limit that parked the agent passed: wake the agent again on the same task (same generation). Old sidecars ignore it. */
export const taskResumeSchema = Type.Object({ type: Type.Literal('task_resume'), task_id: taskIdField, generation: generationField });

export type Identified = Static<typeof identifiedSchema>;
export type Pong = Static<typeof pongSchema>;
export type StatusUpdated = Static<typeof statusUpdatedSchema>;
export type TaskAck = Static<typeof taskAckSchema>;
export type TaskContinue = Static<typeof taskContinueSchema>;
export type TaskReassign = Static<typeof taskReassignSchema>;
export type TaskCancelled = Static<typeof taskCancelledSchema>;
export type TaskResume = Static<typeof taskResumeSchema>;
