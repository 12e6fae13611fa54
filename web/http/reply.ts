// Reply values the routes return, and the mapping from our error codes to the
// reference's `error` strings. Every error body carries both.
import { httpStatusOf, type ErrorCode, type Failure } from '../../storage/domain/errors.ts';
import type { HttpReply, HttpReplyName } from '../protocol/http-replies.ts';

export interface Reply {
  status: number;
  body: unknown;
  /** The reply schema the body follows (web/protocol/http-replies.ts): it is serialized from it. */
  schema?: HttpReplyName;
  headers?: Readonly<Record<string, string>>;
  /** Sent as-is instead of `body` as JSON (GET /metrics), with this content type. */
  text?: { body: string; contentType: string };
}

export const reply = (status: number, body: unknown): Reply => ({ status, body });

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

export function errorReply(code: ErrorCode, extra: Record<string, unknown> = {}): Reply {
  return typedReply('error', httpStatusOf(code), { error: wireError(code), code, ...extra });
}

/** A hub failure as a reply; `extra` adds the reference's context fields (task_id…). */
export function failureReply(failure: Failure, extra: Record<string, unknown> = {}): Reply {
  return errorReply(failure.code, { detail: failure.detail, ...extra });
}

export const unauthorized = (hint: boolean): Reply =>
  errorReply('AC_ERR_UNAUTHORIZED', hint ? { hint: 'provide Authorization: Bearer <token>' } : {});

export const forbidden = (): Reply => errorReply('AC_ERR_FORBIDDEN', { required_scope: 'admin' });
