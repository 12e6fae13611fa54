// Reply values the routes return, and the mapping from our error codes to the
// reference's `error` strings. Every error body carries both. A JSON reply always names
// its schema (web/protocol/http-replies.ts): there is no untyped way to answer.
import { httpStatusOf, type ErrorCode, type Failure } from '../../storage/domain/errors.ts';
import type { HttpReply, HttpReplyName } from '../protocol/http-replies.ts';
import type { ErrorContext } from '../protocol/http-error.ts';

interface ReplyBase {
  status: number;
  headers?: Readonly<Record<string, string>>;
}

/** A JSON body, typed by the schema it names and serialized by the function compiled from it. */
export interface JsonReply extends ReplyBase {
  schema: HttpReplyName;
  body: unknown;
  text?: never;
}

/** Sent as-is (GET /metrics), with this content type. */
export interface TextReply extends ReplyBase {
  text: { body: string; contentType: string };
  schema?: never;
  body?: never;
}

export type Reply = JsonReply | TextReply;

/** A reply whose body is typed and serialized by its schema. */
export const typedReply = <N extends HttpReplyName>(schema: N, status: number, body: HttpReply<N>): Reply => ({ status, body, schema });

/** The reference's `error` string for a code, where the reference has one. */
const referenceErrors: Partial<Record<ErrorCode, string>> = {
  AC_ERR_TASK_NOT_FOUND: 'task_not_found',
  AC_ERR_AGENT_NOT_FOUND: 'agent_not_found',
  AC_ERR_AGENT_NOT_CONNECTED: 'agent_not_connected',
  AC_ERR_AGENT_ALREADY_REGISTERED: 'agent_id already registered',
  AC_ERR_VALIDATION: 'validation_failed',
  AC_ERR_INVALID_JSON: 'invalid_json',
  AC_ERR_PAYLOAD_TOO_LARGE: 'payload_too_large',
  AC_ERR_NOT_FOUND: 'not_found',
  AC_ERR_UNAUTHORIZED: 'unauthorized',
  AC_ERR_FORBIDDEN: 'forbidden',
  AC_ERR_INVALID_LOG_LEVEL: 'invalid_level',
  AC_ERR_QUEUE_CLOSED: 'shutting_down',
  AC_ERR_ALERT_NOT_FOUND: 'alert_not_found',
};

export function wireError(code: ErrorCode): string {
  return referenceErrors[code] ?? code.replace(/^AC_ERR_/, '').toLowerCase();
}

/** `extra` are the named context fields of the error body; `error` replaces the reference's string where a route has its own. */
export function errorReply(code: ErrorCode, extra: ErrorContext & { error?: string } = {}): Reply {
  return typedReply('error', httpStatusOf(code), { error: wireError(code), code, ...extra });
}

/** A hub failure as a reply; `extra` adds the reference's context fields (task_id…). */
export function failureReply(failure: Failure, extra: ErrorContext = {}): Reply {
  return errorReply(failure.code, { detail: failure.detail, ...extra });
}

export const unauthorized = (hint: boolean): Reply =>
  errorReply('AC_ERR_UNAUTHORIZED', hint ? { hint: 'provide Authorization: Bearer <token>' } : {});

export const forbidden = (): Reply => errorReply('AC_ERR_FORBIDDEN', { required_scope: 'admin' });
