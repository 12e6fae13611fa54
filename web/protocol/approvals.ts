// Approval gates and agents' questions on the wire: the agent's `approval_request`,
// the hub's `approval_ack` and `approval_answer`, and the HTTP bodies and query of
// the approve, reject and answer routes. A leaf: imports only TypeBox and the limits.
import { Type, type Static } from '@sinclair/typebox';
import { approvalLimits } from './approval-limits.ts';
import { generationField, taskIdField } from './field-limits.ts';
import { wsMessage } from './ws-message.ts';
import { taskApprovalSchema, taskSchema } from '../../storage/domain/task.ts';

/** The sidecar's id for a question; it becomes part of no file name, but stays plain. */
const questionIdField = Type.String({ minLength: 1, maxLength: approvalLimits.questionIdChars, pattern: '^[A-Za-z0-9._:-]+$' });
const approvalIdField = Type.String({ minLength: 1, maxLength: 128 });

/** Agent → hub: the agent holding `task_id` asks a person something mid-task. Re-sent with the same question_id after a reconnect. */
export const approvalRequestSchema = wsMessage('approval_request', {
  task_id: taskIdField,
  generation: Type.Optional(generationField),
  question_id: questionIdField,
  question: Type.String({ minLength: 1, maxLength: approvalLimits.questionChars }),
  options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: approvalLimits.optionChars }), { maxItems: approvalLimits.options })),
  context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ApprovalRequest = Static<typeof approvalRequestSchema>;

/** Hub → agent: the question is stored (durably) as `approval_id`; `status` is pending, answered or closed. */
export const approvalAckSchema = Type.Object({
  type: Type.Literal('approval_ack'),
  task_id: taskIdField,
  question_id: questionIdField,
  approval_id: approvalIdField,
  status: Type.String({ enum: ['pending', 'answered', 'closed'] }),
});
export type ApprovalAck = Static<typeof approvalAckSchema>;

/** Hub → agent: an operator's answer to a question; sent again when the sidecar asks again. */
export const approvalAnswerSchema = Type.Object({
  type: Type.Literal('approval_answer'),
  approval_id: approvalIdField,
  task_id: taskIdField,
  question_id: questionIdField,
  generation: generationField,
  answer: Type.String({ maxLength: approvalLimits.answerChars }),
  answered_at: Type.Integer({ minimum: 0 }),
  answered_by: Type.Union([Type.String(), Type.Null()]),
});
export type ApprovalAnswer = Static<typeof approvalAnswerSchema>;

/** The approval_answer frame of an answered question (the stored approval's fields). */
export function answerFrameOf(approval: {
  id: string; task_id: string; question_id: string; generation: number; answer: string | null; answered_at: number | null; answered_by: string | null;
}): ApprovalAnswer {
  return {
    type: 'approval_answer', approval_id: approval.id, task_id: approval.task_id, question_id: approval.question_id,
    generation: approval.generation, answer: approval.answer ?? '', answered_at: approval.answered_at ?? 0, answered_by: approval.answered_by,
  };
}

const body = <P extends import('@sinclair/typebox').TProperties>(id: string, properties: P) =>
  Type.Object(properties, { additionalProperties: true, $id: `http/${id}` });

/** POST /api/tasks/:id/approve: an optional note kept with the decision. */
export const taskApproveSchema = body('task_approve', {
  note: Type.Optional(Type.String({ minLength: 1, maxLength: approvalLimits.noteChars })),
});
export type TaskApprove = Static<typeof taskApproveSchema>;

/** POST /api/tasks/:id/reject: why (required; it is kept as the task's last_error). */
export const taskRejectSchema = body('task_reject', {
  reason: Type.String({ minLength: 1, maxLength: approvalLimits.noteChars }),
});
export type TaskReject = Static<typeof taskRejectSchema>;

/** POST /api/approvals/:id: the answer to an agent's question. */
export const approvalAnswerBodySchema = body('approval_answer', {
  answer: Type.String({ minLength: 1, maxLength: approvalLimits.answerChars }),
});
export type ApprovalAnswerBody = Static<typeof approvalAnswerBodySchema>;

/** GET /api/approvals?status=pending|answered|closed|all&limit=. */
/** Which approvals GET /api/approvals lists. */
export const approvalListStatuses = ['pending', 'answered', 'closed', 'all'] as const;
export type ApprovalListStatus = (typeof approvalListStatuses)[number];

export const approvalListQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Unsafe<ApprovalListStatus>(Type.String({ enum: [...approvalListStatuses] }))),
    limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  },
  { additionalProperties: true, $id: 'http/approval_list_query' },
);
export type ApprovalListQuery = Static<typeof approvalListQuerySchema>;

/** An agent's question as the API and the dashboard feed show it; web/ports/approvals-port.ts ApprovalView is its type. */
export const approvalViewSchema = Type.Object({
  id: Type.String(),
  /** The stored record's order of asking (storage/approval-store.ts); the API has always shown it. */
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
  task_id: Type.String(),
  agent_id: Type.String(),
  generation: Type.Integer({ minimum: 0 }),
  question_id: Type.String(),
  question: Type.String(),
  options: Type.Union([Type.Array(Type.String()), Type.Null()]),
  context: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('answered'), Type.Literal('closed')]),
  asked_at: Type.Integer({ minimum: 0 }),
  answer: Type.Union([Type.String(), Type.Null()]),
  answered_at: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  answered_by: Type.Union([Type.String(), Type.Null()]),
  closed_reason: Type.Union([Type.String(), Type.Null()]),
});

// HTTP replies of the approval routes. An approval is sent as approvalViewSchema.
/** POST /api/tasks/:id/approve and /reject: the task's status after the decision and the decision. */
export const approvalDecidedSchema = Type.Object({ status: Type.String(), task_id: Type.String(), approval: Type.Optional(taskApprovalSchema) });

/** GET /api/approvals: questions, and (for pending and all) the tasks awaiting approval, oldest first. */
export const approvalListSchema = Type.Object({
  approvals: Type.Array(approvalViewSchema),
  count: Type.Integer({ minimum: 0 }),
  tasks_awaiting_approval: Type.Array(taskSchema),
});
export type ApprovalList = Static<typeof approvalListSchema>;
