// POST /api/tasks/bulk: up to 1,000 task submits in one request and one transaction.
// Items are checked one by one against `taskBulkItemSchema`, so one bad item gets its
// own error instead of failing the whole body. A leaf: imports only TypeBox and task.ts.
import { Type, type Static } from '@sinclair/typebox';
import { taskLimits } from '../../storage/domain/task-limits.ts';
import { taskSubmitSchema } from './task.ts';

export const bulkLimits = { items: 1_000, refChars: 128 } as const;

const ref = Type.String({ minLength: 1, maxLength: bulkLimits.refChars });

/** The body: only the list's shape here; each item is validated on its own. */
export const taskBulkSchema = Type.Object(
  { tasks: Type.Array(Type.Unknown(), { minItems: 1, maxItems: bulkLimits.items }) },
  { additionalProperties: true, $id: 'http/task_bulk' },
);
export type TaskBulk = Static<typeof taskBulkSchema>;

/** One item: a task submit plus a local `ref` and `depends_on_refs`, to build a graph in one call. */
export const taskBulkItemSchema = Type.Object(
  {
    ...taskSubmitSchema.properties,
    ref: Type.Optional(ref),
    depends_on_refs: Type.Optional(Type.Array(ref, { maxItems: taskLimits.dependencies })),
  },
  { additionalProperties: true, $id: 'http/task_bulk_item' },
);
export type TaskBulkItem = Static<typeof taskBulkItemSchema>;
