// The one error body every failed HTTP request gets (reference §4, §7): `error` is the
// reference's string, `code` ours (storage/domain/errors.ts), and `detail` what went wrong.
// The context fields are named here, closed: a reply that adds an unnamed one fails the tests.
import { Type, type Static } from '@sinclair/typebox';
import { fieldErrorSchema } from './agent-replies.ts';

const count = Type.Integer({ minimum: 0 });

/** The fields some failures add, each naming what the failure was about or how to recover. */
export const errorContextSchema = Type.Object({
  detail: Type.Optional(Type.String()),
  /** A body or query that failed its schema: one item per field (reference §7). */
  errors: Type.Optional(Type.Array(fieldErrorSchema)),
  task_id: Type.Optional(Type.String()),
  agent_id: Type.Optional(Type.String()),
  channel: Type.Optional(Type.String()),
  approval_id: Type.Optional(Type.String()),
  schedule_id: Type.Optional(Type.String()),
  rule_id: Type.Optional(Type.String()),
  /** Storage admin: the reference's `status: "failed"` and the table the request named. */
  status: Type.Optional(Type.Literal('failed')),
  table: Type.Optional(Type.String()),
  /** How to get in: the Authorization header, an enrollment token. */
  hint: Type.Optional(Type.String()),
  required_scope: Type.Optional(Type.Literal('admin')),
  max_bytes: Type.Optional(count),
  max_depth: Type.Optional(count),
  retry_after_ms: Type.Optional(count),
  tier: Type.Optional(Type.String()),
  valid_levels: Type.Optional(Type.Array(Type.String())),
});
export type ErrorContext = Static<typeof errorContextSchema>;

export const errorBodySchema = Type.Object({
  error: Type.String(),
  code: Type.String({ pattern: '^AC_ERR_' }),
  ...errorContextSchema.properties,
});
export type ErrorBody = Static<typeof errorBodySchema>;
