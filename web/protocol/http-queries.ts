// HTTP query strings. Values arrive as strings, so the schemas constrain the text;
// the routes convert after validation.
import { Type, type Static } from '@sinclair/typebox';
import { priorityAliases, priorityNames } from '../../storage/domain/priorities.ts';
import { taskStatuses, type TaskStatus } from '../../storage/domain/task-status.ts';

const digits = (maxLength: number) => Type.String({ pattern: '^[0-9]+$', maxLength });

/** GET /api/tasks. `limit`, `cursor` and `capability` are ours. */
export const taskListQuerySchema = Type.Object(
  {
    // Unsafe keeps the plain {type, enum} schema (and its error items) and types the value as a status.
    status: Type.Optional(Type.Unsafe<TaskStatus>(Type.String({ enum: [...taskStatuses] }))),
    priority: Type.Optional(
      Type.String({ enum: [...priorityNames, ...Object.keys(priorityAliases), '0', '1', '2', '3'] }),
    ),
    assigned_to: Type.Optional(Type.String({ maxLength: 128 })),
    capability: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Type.Optional(digits(4)),
    cursor: Type.Optional(digits(16)),
    /** Ours: only the waiting tasks that still need this task. */
    waiting_on: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: true, $id: 'http/task_list_query' },
);
export type TaskListQueryText = Static<typeof taskListQuerySchema>;

/** GET /api/tasks/dead-letter. */
export const pageQuerySchema = Type.Object(
  { limit: Type.Optional(digits(4)), cursor: Type.Optional(digits(16)) },
  { additionalProperties: true, $id: 'http/page_query' },
);
export type PageQueryText = Static<typeof pageQuerySchema>;

export const maxPageLimit = 1000;
