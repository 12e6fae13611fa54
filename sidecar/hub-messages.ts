// Hub → sidecar messages the sidecar acts on, per the v1 wire protocol.
// Validated at the socket, before the task runner sees them. Other types are ignored.
//
// The fields and their limits are the hub's own schemas (web/protocol), never copied.
// The sidecar adds only what is its own: task ids become file names, and the original
// hub may omit description, metadata and generation (defaults) or send more fields.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import {
  identifiedSchema, rateLimitedSchema as hubRateLimited, taskCancelledSchema as hubTaskCancelled, taskContinueSchema as hubTaskContinue, taskReassignSchema as hubTaskReassign,
  taskResumeSchema as hubTaskResume,
} from '../web/protocol/agent-replies.ts';
import { taskAssignSchema as hubTaskAssign } from '../web/protocol/task-assign.ts';
import { approvalAckSchema as hubApprovalAck, approvalAnswerSchema as hubApprovalAnswer } from '../web/protocol/approvals.ts';
import { leaseResultSchema, type LeaseResult } from '../web/protocol/path-leases.ts';

/** The hub's field schema with one more keyword; TypeBox schemas are plain objects, so a spread keeps them whole. */
const refine = <T extends TSchema>(schema: T, extra: Record<string, unknown>): T => ({ ...schema, ...extra });

// Task ids become file names in results_dir, so anything that could climb out is refused.
const taskId = refine(hubTaskAssign.properties.task_id, { pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*$' });

const taskAssignSchema = Type.Object({
  type: hubTaskAssign.properties.type,
  task_id: taskId,
  description: refine(hubTaskAssign.properties.description, { default: '' }),
  metadata: refine(hubTaskAssign.properties.metadata, { default: {} }),
  generation: refine(hubTaskAssign.properties.generation, { default: 0 }),
  assigned_at: Type.Optional(Type.Number()),
  dependencies: hubTaskAssign.properties.dependencies,
  paths: hubTaskAssign.properties.paths,
});
export type TaskAssign = Static<typeof taskAssignSchema>;

const taskContinueSchema = Type.Object({ ...hubTaskContinue.properties, task_id: taskId });
export type TaskContinue = Static<typeof taskContinueSchema>;

const taskReassignSchema = Type.Object({ ...hubTaskReassign.properties, task_id: taskId });
export type TaskReassign = Static<typeof taskReassignSchema>;

// The hub cancelled a task: stop its work and answer task_stopped. An older hub sends no generation.
const taskCancelledSchema = Type.Object({
  ...hubTaskCancelled.properties,
  task_id: taskId,
  generation: Type.Optional(hubTaskCancelled.properties.generation),
});
export type TaskCancelled = Static<typeof taskCancelledSchema>;

// The hub stored an agent's question (approval_request), and an operator's answer to one.
const approvalAckSchema = Type.Object({ ...hubApprovalAck.properties, task_id: taskId });
export type ApprovalAck = Static<typeof approvalAckSchema>;
const approvalAnswerSchema = Type.Object({ ...hubApprovalAnswer.properties, task_id: taskId });
export type ApprovalAnswerMessage = Static<typeof approvalAnswerSchema>;
// The rate limit that parked the agent passed: wake it again on the same task.
const taskResumeSchema = Type.Object({ ...hubTaskResume.properties, task_id: taskId });
export type TaskResume = Static<typeof taskResumeSchema>;

// A frame the hub dropped (reference §8): hold sends for retry_after_ms. The original hub sends no `code`, and its wait need not be whole.
const rateLimitedSchema = Type.Object({
  ...hubRateLimited.properties, retry_after_ms: Type.Number({ minimum: 0 }), code: Type.Optional(hubRateLimited.properties.code),
});
export type RateLimited = Static<typeof rateLimitedSchema>;

export type HubMessage =
  | TaskAssign
  | RateLimited
  | LeaseResult
  | ApprovalAck
  | ApprovalAnswerMessage
  | TaskContinue
  | TaskReassign
  | TaskCancelled
  | TaskResume
  | Static<typeof identifiedSchema>
  /** Answers the sidecar does not act on beyond their type; the original hub's differ from ours, so they pass unchecked. */
  | { type: 'pong' | 'task_ack' | 'error'; [key: string]: unknown };

const ajv = new Ajv({ useDefaults: true, strict: false });
const validators: Record<string, ReturnType<typeof ajv.compile>> = {
  task_assign: ajv.compile(taskAssignSchema),
  task_continue: ajv.compile(taskContinueSchema),
  task_reassign: ajv.compile(taskReassignSchema),
  task_cancelled: ajv.compile(taskCancelledSchema),
  task_resume: ajv.compile(taskResumeSchema),
  identified: ajv.compile(identifiedSchema),
  approval_ack: ajv.compile(approvalAckSchema),
  approval_answer: ajv.compile(approvalAnswerSchema),
  // The answer to the lease request the agent wrote (the hub's schema as it is: no task id to refine).
  lease_result: ajv.compile(leaseResultSchema),
  rate_limited: ajv.compile(rateLimitedSchema),
};

export type ParsedHubMessage =
  | { kind: 'message'; message: HubMessage }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; type: string; detail: string };

/** Parses one text frame. Unknown types are 'ignored' so newer hubs can add messages. */
export function parseHubMessage(text: string): ParsedHubMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'invalid', type: '(unparsable)', detail: 'frame is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { type?: unknown }).type !== 'string') {
    return { kind: 'invalid', type: '(none)', detail: 'frame has no string type' };
  }
  const type = (raw as { type: string }).type;
  const validate = validators[type];
  if (validate) {
    if (!validate(raw)) {
      const first = validate.errors?.[0];
      return { kind: 'invalid', type, detail: `${first?.instancePath || '/'} ${first?.message ?? 'invalid'}` };
    }
    return { kind: 'message', message: raw as HubMessage };
  }
  if (type === 'pong' || type === 'task_ack' || type === 'error') {
    return { kind: 'message', message: raw as HubMessage };
  }
  return { kind: 'ignored', type };
}
