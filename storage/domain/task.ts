// The task record: what storage keeps and the API returns. Types are derived from the schemas, never written twice.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { taskStatuses } from './task-status.ts';

/** What a dead-lettered or cancelled dependency does to a waiting task: `fail` cascades, `ignore` counts it as done. */
export const dependencyFailurePolicies = ['fail', 'ignore'] as const;
export type DependencyFailurePolicy = (typeof dependencyFailurePolicies)[number];

export const taskHistoryEntrySchema = Type.Object({
  event: Type.String(),
  timestamp: Type.Integer(),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type TaskHistoryEntry = Static<typeof taskHistoryEntrySchema>;

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An approval gate's decision: `pending` while the task is awaiting_approval. */
export const approvalDecisions = ['pending', 'approved', 'rejected'] as const;
export type ApprovalDecision = (typeof approvalDecisions)[number];

export const taskApprovalSchema = Type.Object({
  decision: Type.String({ enum: [...approvalDecisions] }),
  decided_at: nullable(Type.Integer()),
  /** Who decided (the admin token's name, as `admin:<name>`). */
  decided_by: nullable(Type.String()),
  /** Why it was rejected (or the approver's note). */
  reason: nullable(Type.String()),
});
export type TaskApproval = Static<typeof taskApprovalSchema>;

/** The task as the API returns it. `history` is newest first, at most 50 entries. */
export const taskSchema = Type.Object({
  id: Type.String(),
  description: Type.String(),
  priority: Type.Integer({ minimum: 0, maximum: 3 }),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  needed_capabilities: Type.Array(Type.String()),
  max_retries: Type.Integer(),
  retry_count: Type.Integer(),
  /** Absent on tasks stored before backoff existed (they retry at once). */
  retry_backoff_ms: Type.Optional(Type.Integer()),
  retry_backoff_max_ms: Type.Optional(Type.Integer()),
  complete_by: nullable(Type.Integer()),
  not_before: nullable(Type.Integer()),
  status: Type.String({ enum: [...taskStatuses] }),
  assigned_to: nullable(Type.String()),
  assigned_at: nullable(Type.Integer()),
  accepted_at: nullable(Type.Integer()),
  generation: Type.Integer(),
  last_error: nullable(Type.String()),
  result: nullable(Type.Unknown()),
  tokens_used: nullable(Type.Integer()),
  submitted_by: nullable(Type.String()),
  idempotency_key: nullable(Type.String()),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  history: Type.Array(taskHistoryEntrySchema),
  /** Present on tasks submitted with dependencies. */
  depends_on: Type.Optional(Type.Array(Type.String())),
  on_dependency_failure: Type.Optional(Type.String({ enum: [...dependencyFailurePolicies] })),
  /** The dependency whose failure dead-lettered this task; retrying it brings this task back to waiting. */
  failed_dependency: Type.Optional(nullable(Type.String())),
  /** Present on tasks submitted with requires_approval: true. */
  requires_approval: Type.Optional(Type.Boolean()),
  approval: Type.Optional(taskApprovalSchema),
  /** Present on tasks submitted with paths: the globs its assignment leases (in metadata.repo, or the default repo). */
  paths: Type.Optional(Type.Array(Type.String())),
  /** Present on tasks submitted with a token budget. */
  budget_tokens: Type.Optional(Type.Integer()),
});
export type Task = Static<typeof taskSchema>;
