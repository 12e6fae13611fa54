// HTTP reply bodies (reference §4 and ours): the error body every failure shares, and the
// replies of the busiest routes (submit, bulk submit, task pages, agents, messages, mailbox,
// dashboard state). A route sends one with `typedReply(name, …)` (web/http/reply.ts): its body
// is typed by the schema and serialized by a function compiled from it, or, for the open
// shapes (an error's context fields, the dashboard state), checked like the others in tests.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { taskSchema } from '../../storage/domain/task.ts';
import { agentInfoSchema, agentViewSchema } from './agent-view.ts';
import { dashboardStateSchema } from './dashboard-snapshot.ts';
import { messageViewSchema } from './message-delivery.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * Every failure: `error` is the reference's string, `code` ours (storage/domain/errors.ts);
 * context fields (task_id, channel, errors, hint, max_bytes…) vary by failure and stay open.
 */
export const errorBodySchema = Type.Object({
  error: Type.String(),
  code: Type.String({ pattern: '^AC_ERR_' }),
  detail: Type.Optional(Type.String()),
}, { additionalProperties: true });

/** POST /api/tasks: the reference's four fields first, ours after. 201 when created, 200 for an idempotent repeat. */
export const taskSubmittedSchema = Type.Object({
  status: Type.String(),
  task_id: Type.String(),
  priority: Type.Integer({ minimum: 0, maximum: 3 }),
  created_at: Type.Integer({ minimum: 0 }),
  created: Type.Boolean(),
  not_before: nullable(Type.Integer({ minimum: 0 })),
  idempotency_key: nullable(Type.String()),
});

/** The item's own `ref`, echoed so a client can match results to what it sent. */
const bulkItemRef = { ref: Type.Optional(Type.String()) };
/** POST /api/tasks/bulk: one result per item, in order; a refused graph is 422 with `error` and nothing created. */
export const taskBulkReplySchema = Type.Object({
  error: Type.Optional(Type.Literal('bulk_rejected')),
  code: Type.Optional(Type.Literal('AC_ERR_BULK_ABORTED')),
  created: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  results: Type.Array(Type.Union([
    Type.Object({
      index: Type.Integer({ minimum: 0 }), ok: Type.Literal(true), task_id: Type.String(), status: Type.String(), created: Type.Boolean(), ...bulkItemRef,
    }),
    Type.Object({
      index: Type.Integer({ minimum: 0 }), ok: Type.Literal(false), error: Type.String(), code: Type.String(), detail: Type.String(),
      errors: Type.Optional(Type.Array(Type.Unknown())), ...bulkItemRef,
    }),
  ])),
});

/** GET /api/tasks, GET /api/tasks/dead-letter: a page of tasks and the cursor of the next. */
export const taskPageSchema = Type.Object({
  tasks: Type.Array(taskSchema),
  count: Type.Integer({ minimum: 0 }),
  next_cursor: nullable(Type.Integer({ minimum: 0 })),
  skipped_unreadable: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** GET /api/agents: the connected agents (reference AgentInfo), with their machine state and, on a cluster, their hub. */
export const agentListSchema = Type.Object({
  agents: Type.Array(Type.Object({
    ...agentInfoSchema.properties, fsm_state: agentViewSchema.properties.fsm_state, hub: Type.Optional(Type.String()),
  })),
});

/** POST /api/messages: `seq` for a direct message (its mailbox seq), none for a broadcast. */
export const messageSentBodySchema = Type.Object({
  status: Type.Literal('sent'),
  id: Type.String(),
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
  duplicate: Type.Optional(Type.Literal(true)),
});

/** GET /api/mailbox/:id: pass `last_seq` back as `since` for the next page. */
export const mailboxPageSchema = Type.Object({
  agent_id: Type.String(),
  messages: Type.Array(messageViewSchema),
  last_seq: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 0 }),
});

/** Keyed by a stable name; `open` ones are sent with JSON.stringify (their schema allows more fields). */
export const httpReplySchemas = {
  error: errorBodySchema,
  task_submitted: taskSubmittedSchema,
  task_bulk: taskBulkReplySchema,
  task_page: taskPageSchema,
  agent_list: agentListSchema,
  message_sent: messageSentBodySchema,
  mailbox_page: mailboxPageSchema,
  dashboard_state: dashboardStateSchema,
} as const satisfies Record<string, TSchema>;
export type HttpReplyName = keyof typeof httpReplySchemas;
export type HttpReply<N extends HttpReplyName> = Static<(typeof httpReplySchemas)[N]>;
/** Replies whose schemas leave fields open, so a compiled serializer would drop some: sent whole. */
export const openHttpReplies: ReadonlySet<HttpReplyName> = new Set(['error', 'dashboard_state']);
