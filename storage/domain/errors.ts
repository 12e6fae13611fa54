// The one catalogue of AgentCom error codes, in the domain vocabulary every layer imports. A leaf: imports nothing of ours.
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
  AC_ERR_DATA_DIR_LOCKED: { status: 500, message: 'data dir %s is in use by another hub (pid %d on %s, lock file %s); stop that hub first, or start this one with another --data-dir' },
  AC_ERR_DATA_DIR_UNUSABLE: { status: 500, message: 'data dir %s cannot be used: %s' },

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
  AC_ERR_STORAGE_FULL: { status: 507, message: 'storage is full, nothing was written: %s' },
  AC_ERR_DEPENDENCY_NOT_FOUND: { status: 422, message: 'depends_on names tasks that do not exist: %s' },
  AC_ERR_DEPENDENCY_FAILED: { status: 409, message: 'task %s waits on %s, which failed; retry that task first' },
  AC_ERR_BULK_ABORTED: { status: 422, message: 'not created: item %d of this graph failed, so the whole graph was refused' },
  AC_ERR_BULK_REF_UNKNOWN: { status: 422, message: 'depends_on_refs names %s, which no item of this request has as its ref' },
  AC_ERR_BULK_REF_DUPLICATE: { status: 422, message: 'ref %s is used by more than one item' },
  AC_ERR_BULK_CYCLE: { status: 422, message: 'refs form a cycle: %s' },
  AC_ERR_SCHEDULE_INVALID: { status: 422, message: 'cron %s in time zone %s: %s' },
  AC_ERR_SCHEDULE_NOT_FOUND: { status: 404, message: 'schedule %s not found' },

  // --- approval gates and agent questions (issue 19) ---------------------------
  AC_ERR_APPROVAL_NOT_FOUND: { status: 404, message: 'approval %s not found' },
  AC_ERR_APPROVAL_ANSWERED: { status: 409, message: 'approval %s was already answered by %s' },
  AC_ERR_APPROVAL_TASK_ENDED: { status: 409, message: 'approval %s cannot be answered: its task %s ended (%s)' },
  AC_ERR_APPROVAL_NOT_ASKER: { status: 409, message: 'task %s is not held by %s at generation %s, so it cannot ask about it' },

  // --- wire ---------------------------------------------------------------
  AC_ERR_NOT_IDENTIFIED: { status: 401, message: 'identify first' },
  AC_ERR_IDENTIFY_COOLDOWN: { status: 429, message: 'identify cooldown active for %s: retry in %ds' },
  AC_ERR_TOO_MANY_VIOLATIONS: { status: 429, message: 'too many validation errors' },
  AC_ERR_BACKPRESSURE: { status: 503, message: 'socket send buffer over %d bytes' },
  AC_ERR_NOT_IMPLEMENTED: { status: 501, message: '%s is not implemented yet' },
  AC_ERR_NATS_UNSAFE: { status: 500, message: 'the NATS cluster runs nats-server %s, which can accept two concurrent compare-and-set writes to one key (nats-io/nats-server#4320): two hubs could assign one task twice. Upgrade the cluster to %s or later' },
  AC_ERR_INVALID_LOG_LEVEL: { status: 422, message: 'log level %s is not one of %s' },
  AC_ERR_INTERNAL: { status: 500, message: 'internal error: %s' },

  // --- messaging ------------------------------------------------------------
  AC_ERR_CHANNEL_NOT_FOUND: { status: 404, message: 'channel %s not found' },
  AC_ERR_CHANNEL_EXISTS: { status: 409, message: 'channel %s already exists' },
  AC_ERR_CHANNEL_NAME_INVALID: { status: 422, message: 'channel name %s is empty or over 64 characters after normalisation' },
  AC_ERR_MESSAGE_TOO_LARGE: { status: 413, message: 'message payload is %d bytes; the limit is %d' },
  AC_ERR_NOT_OWN_MAILBOX: { status: 403, message: 'agent %s may not use the mailbox of %s' },
  AC_ERR_CLIENT_MSG_ID_CONFLICT: { status: 409, message: 'client_msg_id %s was first used for another send (%s), not %s' },

  // --- storage operations (backup, restore, compaction, corruption) ------------
  AC_ERR_BACKUP_FAILED: { status: 500, message: 'backup failed: %s' },
  AC_ERR_BACKUP_INVALID: { status: 422, message: 'backup %s cannot be used: %s' },
  AC_ERR_BACKUP_NOT_FOUND: { status: 404, message: 'no good backup %s in %s' },
  AC_ERR_STORAGE_BUSY: { status: 409, message: 'a %s is running; try again when it ends' },
  AC_ERR_COMPACTION_FAILED: { status: 500, message: 'compaction failed: %s' },
  AC_ERR_RESTORE_FAILED: { status: 500, message: 'restore failed: %s' },
  AC_ERR_STORAGE_CORRUPT: { status: 500, message: 'the data file was corrupt (%s) and is quarantined as %s; no good backup in %s. Restore one with `agentcom restore`, or start empty with --recover-empty' },
  AC_ERR_HUB_RUNNING: { status: 409, message: 'a hub is running on %s: stop it first, or restore online with POST /api/admin/restore' },

  // --- sidecar --------------------------------------------------------------
  AC_ERR_WAKE_FAILED: { status: 500, message: 'wake command failed: %s' },
  AC_ERR_GIT: { status: 500, message: 'git: %s' },
  AC_ERR_GIT_DIRTY_TREE: { status: 409, message: 'working tree %s has uncommitted changes' },
  AC_ERR_GIT_NO_ORIGIN_MAIN: { status: 502, message: 'origin/main is unreachable: %s' },
  AC_ERR_GIT_ON_MAIN: { status: 409, message: 'refusing to submit from branch %s' },
  AC_ERR_GIT_NOTHING_TO_SUBMIT: { status: 409, message: 'branch %s has no commits ahead of origin/main' },
  AC_ERR_SIDECAR_QUEUE_FILE: { status: 500, message: 'queue file %s: %s' },
  AC_ERR_SIDECAR_BAD_TEMPLATE: { status: 500, message: 'wake_command template: %s' },

  // --- observability ----------------------------------------------------------
  AC_ERR_ALERT_NOT_FOUND: { status: 404, message: 'no active alert %s' },
  // --- TLS (hub and clients) ---------------------------------------------
  AC_ERR_TLS_FILE: { status: 500, message: '%s %s cannot be used: %s' },
  AC_ERR_TLS_INCOMPLETE: { status: 500, message: 'TLS needs both tls_cert and tls_key; %s is missing' },
  AC_ERR_TLS_KEY_MISMATCH: { status: 500, message: 'tls_key %s is not the private key of the certificate in tls_cert %s' },
  AC_ERR_TLS_NEEDS_NATIVE: { status: 500, message: 'TLS needs the native uWebSockets.js binding (SSLApp), and only the JS fallback loaded' },
  AC_ERR_TLS_REQUIRED: { status: 500, message: 'refusing to listen in clear text on %s: require_tls is set; give --tls-cert and --tls-key' },
  AC_ERR_TLS_UNTRUSTED: { status: 502, message: 'the hub at %s presented a certificate that is not trusted (%s)' },
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
  // --- fleet control: path leases and re-prioritising (issue 19) --------------
  AC_ERR_LEASE_NOT_FOUND: { status: 404, message: 'lease %s is not held by agent %s' },
  AC_ERR_LEASE_OF_TASK: { status: 409, message: 'lease %s is the task\'s own (its paths); it ends with the assignment' },
  AC_ERR_LEASE_LIMIT: { status: 409, message: 'task %s already holds %d extra leases' },
  AC_ERR_LEASE_HELD: { status: 409, message: 'paths %s overlap the lease of task %s (agent %s)' },
  AC_ERR_GIT_OUTSIDE_LEASE: { status: 409, message: 'the commit touches paths outside the task\'s leases: %s (pass --force to commit anyway)' },
  // --- fleet control: budgets, breakers, provider quotas (issue 19) ------------
  AC_ERR_AGENT_NOT_BLOCKED: { status: 409, message: 'agent %s is not blocked (it is %s)' },
  AC_ERR_RATE_LIMIT_UNTIL: { status: 422, message: 'until is %d ms from now; a rate limit may park an agent for at most %d ms' },
  AC_ERR_BUDGET_EXCEEDED: { status: 409, message: 'task %s used %d tokens, over its budget_tokens %d' },
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

/**
 * A failure value carried through an API that resolves with a plain promise (the small
 * stores: tokens, settings, agent directory, schedules, whose writes can meet a full disk).
 * The HTTP router and the agent socket answer it with its code instead of a 500.
 */
export class ThrownFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.detail);
    this.name = 'ThrownFailure';
  }
}

export function thrownFailureOf(error: unknown): Failure | null {
  return error instanceof ThrownFailure ? error.failure : null;
}

export function httpStatusOf(code: ErrorCode): number {
  return errors[code].status;
}

function formatMessage(template: string, args: Array<string | number>): string {
  let next = 0;
  return template.replace(/%[sd]/g, () => String(args[next++] ?? ''));
}
