// The one catalogue of AgentCom error codes. A leaf: imports nothing of ours.
//
// A code is never renamed or reused. `status` is the HTTP status a code maps to
// when it reaches the wire; `message` is a printf-style template (%s, %d).
// Every code has a row in docs/errors.md (a test checks it).
// Retired codes: none yet.

export const errors = {
  // --- configuration and start -------------------------------------------
  AC_ERR_CONFIG_INVALID: { status: 500, message: 'config key %s: %s' },
  AC_ERR_CONFIG_UNREADABLE: { status: 500, message: 'config file %s cannot be read: %s' },
  AC_ERR_TRANSPORT_FALLBACK: { status: 500, message: 'uWebSockets.js native binding did not load (%s); pass --allow-js-fallback to run on the slower JS server' },
  AC_ERR_PORT_IN_USE: { status: 500, message: 'cannot listen on %s:%d' },

  // --- input validation ---------------------------------------------------
  AC_ERR_VALIDATION: { status: 422, message: 'validation failed: %s' },
  AC_ERR_INVALID_JSON: { status: 400, message: 'body is not valid JSON' },
  AC_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'payload is over %d bytes' },
  AC_ERR_NOT_FOUND: { status: 404, message: 'no route for %s' },

  // --- auth ---------------------------------------------------------------
  AC_ERR_UNAUTHORIZED: { status: 401, message: 'missing or unknown token' },
  AC_ERR_FORBIDDEN: { status: 403, message: 'token lacks the %s scope' },
  AC_ERR_TOKEN_AGENT_MISMATCH: { status: 403, message: 'token belongs to another agent' },
  AC_ERR_AGENT_ALREADY_REGISTERED: { status: 409, message: 'agent %s is already registered' },
  AC_ERR_AGENT_NOT_FOUND: { status: 404, message: 'agent %s not found' },
  AC_ERR_AGENT_NOT_CONNECTED: { status: 404, message: 'agent %s is not connected' },

  // --- task queue -----------------------------------------------------------
  AC_ERR_TASK_NOT_FOUND: { status: 404, message: 'task %s not found' },
  AC_ERR_STALE_GENERATION: { status: 409, message: 'task %s is at generation %d, report carried %d' },
  AC_ERR_NOT_ASSIGNEE: { status: 409, message: 'task %s is not assigned to %s' },
  AC_ERR_INVALID_STATE: { status: 409, message: 'task %s is %s; %s needs %s' },
  AC_ERR_IDEMPOTENCY_CONFLICT: { status: 409, message: 'idempotency key %s was used for a different task' },
  AC_ERR_QUEUE_CLOSED: { status: 503, message: 'the queue is shutting down' },
  AC_ERR_STORAGE: { status: 500, message: 'storage failure: %s' },

  // --- wire ---------------------------------------------------------------
  AC_ERR_NOT_IDENTIFIED: { status: 401, message: 'identify first' },
  AC_ERR_IDENTIFY_COOLDOWN: { status: 429, message: 'identify cooldown active for %s: retry in %ds' },
  AC_ERR_TOO_MANY_VIOLATIONS: { status: 429, message: 'too many validation errors' },
  AC_ERR_BACKPRESSURE: { status: 503, message: 'socket send buffer over %d bytes' },
  AC_ERR_NOT_IMPLEMENTED: { status: 501, message: '%s is not implemented yet' },
  AC_ERR_INVALID_LOG_LEVEL: { status: 422, message: 'log level %s is not one of %s' },
  AC_ERR_INTERNAL: { status: 500, message: 'internal error: %s' },

  // --- messaging ------------------------------------------------------------
  AC_ERR_CHANNEL_NOT_FOUND: { status: 404, message: 'channel %s not found' },
  AC_ERR_CHANNEL_EXISTS: { status: 409, message: 'channel %s already exists' },
  AC_ERR_CHANNEL_NAME_INVALID: { status: 422, message: 'channel name %s is empty or over 64 characters after normalisation' },
  AC_ERR_MESSAGE_TOO_LARGE: { status: 413, message: 'message payload is %d bytes; the limit is %d' },
  AC_ERR_NOT_OWN_MAILBOX: { status: 403, message: 'agent %s may not use the mailbox of %s' },

  // --- sidecar --------------------------------------------------------------
  AC_ERR_WAKE_FAILED: { status: 500, message: 'wake command failed: %s' },
  AC_ERR_GIT: { status: 500, message: 'git: %s' },
  AC_ERR_GIT_DIRTY_TREE: { status: 409, message: 'working tree %s has uncommitted changes' },
  AC_ERR_GIT_NO_ORIGIN_MAIN: { status: 502, message: 'origin/main is unreachable: %s' },
  AC_ERR_GIT_ON_MAIN: { status: 409, message: 'refusing to submit from branch %s' },
  AC_ERR_GIT_NOTHING_TO_SUBMIT: { status: 409, message: 'branch %s has no commits ahead of origin/main' },
  AC_ERR_SIDECAR_QUEUE_FILE: { status: 500, message: 'queue file %s: %s' },
  AC_ERR_SIDECAR_BAD_TEMPLATE: { status: 500, message: 'wake_command template: %s' },

  // --- abuse resistance (issue 15) --------------------------------------------
  AC_ERR_JSON_TOO_DEEP: { status: 400, message: 'JSON nests deeper than %d levels' },
  AC_ERR_RATE_LIMITED: { status: 429, message: 'rate limited in tier %s: retry in %d ms' },
  AC_ERR_IDENTIFY_RATE: { status: 429, message: 'too many identify attempts from %s' },
  AC_ERR_IDENTIFY_TIMEOUT: { status: 408, message: 'the socket did not identify within %d ms' },
  AC_ERR_SOCKET_BUSY: { status: 429, message: 'the socket has %d frames in progress' },
  AC_ERR_REGISTRATION_CLOSED: { status: 403, message: 'registration is closed; an admin adds agents' },
  AC_ERR_ENROLLMENT_TOKEN: { status: 401, message: 'registration needs a live enrollment token' },
  AC_ERR_TASK_SCOPE: { status: 403, message: 'task %s was neither submitted by nor assigned to %s' },
  AC_ERR_TOO_MANY_CONNECTIONS: { status: 429, message: 'too many open connections from %s (limit %d)' },
} as const;

export type ErrorCode = keyof typeof errors;

export type Failure = { ok: false; code: ErrorCode; detail: string; field?: string };
export type Result<T> = { ok: true; value: T } | Failure;

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, ...args: Array<string | number>): Failure {
  return { ok: false, code, detail: formatMessage(errors[code].message, args) };
}

export function failField(code: ErrorCode, field: string, detail: string): Failure {
  return { ok: false, code, field, detail };
}

export function httpStatusOf(code: ErrorCode): number {
  return errors[code].status;
}

function formatMessage(template: string, args: Array<string | number>): string {
  let next = 0;
  return template.replace(/%[sd]/g, () => String(args[next++] ?? ''));
}
