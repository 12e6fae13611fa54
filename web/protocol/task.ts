// Task shapes on the wire: the submit body, the task record, the lanes.
// A leaf: imports only TypeBox and the lane names. Types are derived from the schemas, never written twice.
import { Type, type Static } from '@sinclair/typebox';

import { priorityAliases, priorityNames } from './priorities.ts';

export { priorityAliases, priorityNames, type PriorityName } from './priorities.ts';

export const taskStatuses = ['queued', 'delayed', 'assigned', 'completed', 'dead_letter', 'cancelled', 'waiting', 'awaiting_approval'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export const taskLimits = {
  descriptionChars: 10_000,
  capabilityChars: 128,
  capabilities: 32,
  metadataBytes: 64 * 1024,
  idempotencyKeyChars: 256,
  errorChars: 2_000,
  maxRetries: 100,
  /** A day: the longest pause a retry may wait. */
  retryBackoffMaxMs: 86_400_000,
  historyEntries: 50,
  dependencies: 100,
  /** An operator's reason for rejecting a task. */
  rejectReasonChars: 2_000,
  /** Path globs a task may lease (path-leases.ts). */
  paths: 100,
  pathChars: 512,
  budgetTokens: 1_000_000_000_000,
} as const;

/**
 * A path glob a task leases, relative to its repository: not absolute, no `..` segment, no
 * backslash, no leading `!`, no control characters (storage/path-globs.ts has the dialect).
 */
export const pathGlobField = Type.String({
  minLength: 1,
  maxLength: 512,
  pattern: '^(?![/!])(?![A-Za-z]:)(?!(?:.*/)?\\.\\.(?:/|$))[^\\\\\\u0000-\\u001f]*[^\\s\\\\\\u0000-\\u001f][^\\\\\\u0000-\\u001f]*$',
  description: 'a glob relative to the repository root: not absolute, without .. or backslashes, not a negation',
});
export const pathGlobList = Type.Array(pathGlobField, { minItems: 1, maxItems: 100 });

/** What a dead-lettered or cancelled dependency does to a waiting task: `fail` cascades, `ignore` counts it as done. */
export const dependencyFailurePolicies = ['fail', 'ignore'] as const;
export type DependencyFailurePolicy = (typeof dependencyFailurePolicies)[number];

const taskIdField = Type.String({ minLength: 1, maxLength: 128 });

const capabilityList = Type.Array(Type.String({ minLength: 1, maxLength: taskLimits.capabilityChars }), {
  maxItems: taskLimits.capabilities,
});

/** POST /api/tasks. Unknown fields pass, as in the reference. */
export const taskSubmitSchema = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: taskLimits.descriptionChars }),
    priority: Type.Optional(
      Type.Union([
        Type.String({ enum: [...priorityNames, ...Object.keys(priorityAliases)] }),
        Type.Integer({ minimum: 0, maximum: 3 }),
      ]),
    ),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Retries after the first attempt (the task runs at most max_retries + 1 times). Default 3. */
    max_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: taskLimits.maxRetries })),
    /** Ours: pause before the first retry, doubled per retry, with jitter. Default 5000. */
    retry_backoff_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: taskLimits.retryBackoffMaxMs })),
    /** Ours: cap on that pause. Default 300000. */
    retry_backoff_max_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: taskLimits.retryBackoffMaxMs })),
    complete_by: Type.Optional(Type.Integer({ minimum: 0 })),
    needed_capabilities: Type.Optional(capabilityList),
    /** Ours: a client key; the same key returns the same task instead of a duplicate. */
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: taskLimits.idempotencyKeyChars })),
    /** Ours: not before this epoch-ms time (a delayed task). */
    not_before: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Ours: delay in ms from now; the same as not_before = now + delay_ms. */
    delay_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Ours: ids of existing tasks that must complete first; the task waits outside every lane until then. */
    depends_on: Type.Optional(Type.Array(taskIdField, { maxItems: taskLimits.dependencies })),
    on_dependency_failure: Type.Optional(Type.String({ enum: [...dependencyFailurePolicies] })),
    /** Ours: the task waits in `awaiting_approval` until an operator approves it (before its dependencies and delay count). */
    requires_approval: Type.Optional(Type.Boolean()),
    /** Ours: files the task will change (globs); no two tasks with overlapping paths in one repo run at once. */
    paths: Type.Optional(pathGlobList),
    /** Ours: most tokens the task may use (cumulative tokens_used); past it the hub stops the agent and dead-letters the task (budget_exceeded). */
    budget_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: taskLimits.budgetTokens })),
  },
  { additionalProperties: true },
);
export type TaskSubmit = Static<typeof taskSubmitSchema>;

/** PATCH /api/tasks/:id: what an operator may change on a task that has not started (its lane). */
export const taskPatchSchema = Type.Object({
  priority: Type.Union([
    Type.String({ enum: [...priorityNames, ...Object.keys(priorityAliases)] }),
    Type.Integer({ minimum: 0, maximum: 3 }),
  ]),
}, { additionalProperties: true });
export type TaskPatch = Static<typeof taskPatchSchema>;

export const taskHistoryEntrySchema = Type.Object({
  event: Type.String(),
  timestamp: Type.Integer(),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type TaskHistoryEntry = Static<typeof taskHistoryEntrySchema>;

const nullable = <T extends import('@sinclair/typebox').TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

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

/**
 * JSON Schema cannot bound an object's serialised size, so metadata's limit is checked here,
 * next to the schema, and applied by every route that takes task metadata. Null when it fits.
 */
export function metadataOversize(metadata: Record<string, unknown> | undefined): { field: string; error: 'too_long'; detail: string } | null {
  if (metadata === undefined) return null;
  const bytes = new TextEncoder().encode(JSON.stringify(metadata)).length;
  if (bytes <= taskLimits.metadataBytes) return null;
  return { field: 'metadata', error: 'too_long', detail: `metadata is ${bytes} bytes as JSON; the limit is ${taskLimits.metadataBytes}` };
}
