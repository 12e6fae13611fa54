// Hub → agent frames other than task_assign: the answers to an agent's frames
// (identified, pong, status_updated, task_ack, task_continue, task_reassign), the
// cancel notice, the resume after a rate limit, and the refusals (error, rate_limited,
// rate_limit_warning). Each is serialized by a function compiled from its schema (web/frame-serializer.ts).
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

/** One field error (reference §7); `known_types` only with unknown_message_type. */
export const fieldErrorSchema = Type.Object({
  field: Type.String(),
  error: Type.String(),
  detail: Type.String(),
  value: Type.Optional(Type.String()),
  known_types: Type.Optional(Type.Array(Type.String())),
});

/**
 * A refused frame or a failed report: `error` is the reference's text, `code` ours (storage/domain/errors.ts).
 * The rest is context that only some refusals carry.
 */
export const errorFrameSchema = Type.Object({
  type: Type.Literal('error'),
  error: Type.String(),
  code: Type.String(),
  message_type: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  task_id: Type.Optional(taskIdField),
  channel: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(fieldErrorSchema)),
  max_depth: Type.Optional(Type.Integer()),
  inflight: Type.Optional(Type.Integer()),
  /** The question of a refused approval_request. */
  question_id: Type.Optional(Type.String()),
});

/** A frame refused by a token bucket (reference §8); `scope: "ip"` for identify attempts per address. */
export const rateLimitedSchema = Type.Object({
  type: Type.Literal('rate_limited'),
  retry_after_ms: Type.Integer({ minimum: 0 }),
  tier: Type.String(),
  code: Type.String(),
  scope: Type.Optional(Type.String()),
  /** The type of the frame dropped (absent for identify attempts refused per address). */
  frame: Type.Optional(Type.String()),
  /** The dropped frame's request_id, when it had one (lease_acquire, lease_release, …): its answer will not come. */
  request_id: Type.Optional(Type.String()),
});

/** The bucket behind this frame is below a fifth of its capacity. */
export const rateLimitWarningSchema = Type.Object({
  type: Type.Literal('rate_limit_warning'),
  tier: Type.String(),
  remaining: Type.Integer({ minimum: 0 }),
  capacity: Type.Number({ minimum: 0 }),
});

export type ErrorFrame = Static<typeof errorFrameSchema>;
export type RateLimited = Static<typeof rateLimitedSchema>;
export type RateLimitWarning = Static<typeof rateLimitWarningSchema>;
