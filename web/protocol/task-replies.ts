// HTTP replies of /api/tasks (reference §4 and ours): submit and bulk submit, task pages,
// the queue's counts, a task with its place in a workflow, and the answers of the
// operator's acts (reprioritise, retry, cancel, push, purge). The task port's views are
// these schemas' types (web/ports/task-port.ts), declared once here.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { taskSchema } from '../../storage/domain/task.ts';
import { pathLeaseSchema } from './path-leases.ts';
import { fieldErrorSchema } from './agent-replies.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const count = Type.Integer({ minimum: 0 });
const counts = Type.Record(Type.String(), count);
const lane = Type.Integer({ minimum: 0, maximum: 3 });

/** POST /api/tasks: the reference's four fields first, ours after. 201 when created, 200 for an idempotent repeat. */
export const taskSubmittedSchema = Type.Object({
  status: Type.String(),
  task_id: Type.String(),
  priority: lane,
  created_at: count,
  created: Type.Boolean(),
  not_before: nullable(count),
  idempotency_key: nullable(Type.String()),
});

/** The item's own `ref`, echoed so a client can match results to what it sent. */
const bulkItemRef = { ref: Type.Optional(Type.String()) };
/** POST /api/tasks/bulk: one result per item, in order; a refused graph is 422 with `error` and nothing created. */
export const taskBulkReplySchema = Type.Object({
  error: Type.Optional(Type.Literal('bulk_rejected')),
  code: Type.Optional(Type.Literal('AC_ERR_BULK_ABORTED')),
  created: count,
  failed: count,
  results: Type.Array(Type.Union([
    Type.Object({ index: count, ok: Type.Literal(true), task_id: Type.String(), status: Type.String(), created: Type.Boolean(), ...bulkItemRef }),
    Type.Object({
      index: count, ok: Type.Literal(false), error: Type.String(), code: Type.String(), detail: Type.String(),
      errors: Type.Optional(Type.Array(fieldErrorSchema)), ...bulkItemRef,
    }),
  ])),
});

/** GET /api/tasks, GET /api/tasks/dead-letter: a page of tasks and the cursor of the next. */
export const taskPageSchema = Type.Object({
  tasks: Type.Array(taskSchema),
  count,
  next_cursor: nullable(count),
  /** Damaged records in the page's range that were skipped (logged once each); absent when none. */
  skipped_unreadable: Type.Optional(count),
});
export type TaskListPage = Static<typeof taskPageSchema>;

/** GET /api/tasks/stats, and the dashboard's `queue`: counts by status and by lane ("0" urgent … "3" low). */
export const taskStatsSchema = Type.Object({
  by_status: counts,
  by_priority: counts,
  dead_letter: count,
  queued_index_size: count,
  /** Distinct damaged task records listings have skipped since start; absent when none. */
  unreadable_records: Type.Optional(count),
  /** What retention deleted since start, per status, and when it last swept; absent when retention is off. */
  retention: Type.Optional(Type.Object({
    removed: Type.Object({ completed: count, cancelled: count, dead_letter: count }),
    last_sweep_at: nullable(count),
  })),
});
export type TaskStatsView = Static<typeof taskStatsSchema>;

const taskLink = Type.Object({ task_id: Type.String(), status: Type.String() });
/** A task's place in a workflow graph, and the path leases it holds or waits for. */
export const taskLinksSchema = Type.Object({
  dependencies: Type.Array(taskLink),
  dependents: Type.Array(taskLink),
  /** Dependencies a waiting task still needs; null when it is not waiting. */
  waiting_for: nullable(count),
  /** Path leases the task holds now (while assigned). */
  leases: Type.Array(pathLeaseSchema),
  /** A queued task the scheduler passed over: the lease of another task that overlaps its paths. */
  waiting_for_lease: nullable(Type.Object({ ...pathLeaseSchema.properties, since: count })),
});
export type TaskLinks = Static<typeof taskLinksSchema>;

/** GET /api/tasks/:id: the task record and its links. */
export const taskDetailSchema = Type.Object({ ...taskSchema.properties, ...taskLinksSchema.properties });

/** PATCH /api/tasks/:id: the lane it left and the one it is in. */
export const taskReprioritisedSchema = Type.Object({
  status: Type.String(), task_id: Type.String(), priority: lane, previous_priority: lane, changed: Type.Boolean(),
});

/** POST /api/tasks/:id/retry: a dead letter back in its lane. */
export const taskRequeuedSchema = Type.Object({ status: Type.Literal('requeued'), task_id: Type.String(), priority: lane });

/** POST /api/tasks/:id/cancel. */
export const taskCancelledReplySchema = Type.Object({ status: Type.Literal('cancelled'), task_id: Type.String() });

/** POST /api/admin/push-task: the task went straight to the agent. */
export const taskPushedSchema = Type.Object({ status: Type.Literal('pushed'), task_id: Type.String(), agent_id: Type.String() });

/** DELETE /api/tasks/dead-letter[/:id]: how many dead letters were removed. */
export const deadLettersPurgedSchema = Type.Object({ status: Type.Literal('purged'), count, task_id: Type.Optional(Type.String()) });
