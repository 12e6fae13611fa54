// Task bodies on the wire: the submit (POST /api/tasks, also inside a bulk submit and a schedule) and the lane change.
// The task record they make is storage/domain/task.ts.
import { Type, type Static } from '@sinclair/typebox';
import { pathGlobList } from '../../storage/domain/path-glob.ts';
import { priorityAliases, priorityNames } from '../../storage/domain/priorities.ts';
import { dependencyFailurePolicies } from '../../storage/domain/task.ts';
import { taskLimits } from '../../storage/domain/task-limits.ts';
import { taskIdField } from './field-limits.ts';

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
