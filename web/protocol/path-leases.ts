// Path leases on the agent socket: lease_acquire and lease_release (agent → hub), each
// answered by one lease_result frame whose `result` says what happened: granted (with the
// lease), denied (with the lease that overlaps, `holder`), released, or error (code, detail).
// A leaf: imports only TypeBox and the schemas beside it.
import { Type, type Static } from '@sinclair/typebox';
import { generationField, taskIdField } from './field-limits.ts';
import { pathGlobList } from '../../storage/domain/path-glob.ts';
import { wsMessage } from './ws-message.ts';

const leaseIdField = Type.String({ minLength: 1, maxLength: 128 });
/** Echoed on the answer, so a client with several requests out can match them. */
const requestIdField = Type.String({ minLength: 1, maxLength: 128 });

/** A held lease as the API and the socket show it. */
export const pathLeaseSchema = Type.Object({
  /** `task:<task id>` for a task's own paths; `lease-<hex>` for one taken over the socket. */
  lease_id: Type.String(),
  task_id: Type.String(),
  agent_id: Type.Union([Type.String(), Type.Null()]),
  generation: Type.Integer(),
  /** metadata.repo of the task, or '' for the hub's default repository. */
  repo: Type.String(),
  paths: Type.Array(Type.String()),
  acquired_at: Type.Integer(),
});
export type PathLeaseView = Static<typeof pathLeaseSchema>;

/** Leases `paths` for the assignment the agent holds (`generation` fences it like a report). */
export const leaseAcquireSchema = wsMessage('lease_acquire', {
  task_id: taskIdField,
  generation: Type.Optional(generationField),
  paths: pathGlobList,
  /** Another repository than the task's own (metadata.repo, or the default). */
  repo: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  request_id: Type.Optional(requestIdField),
});
export type LeaseAcquire = Static<typeof leaseAcquireSchema>;

export const leaseReleaseSchema = wsMessage('lease_release', {
  lease_id: leaseIdField,
  request_id: Type.Optional(requestIdField),
});
export type LeaseRelease = Static<typeof leaseReleaseSchema>;

export const leaseResults = ['granted', 'denied', 'released', 'error'] as const;

/** The one answer to lease_acquire or lease_release. */
export const leaseResultSchema = Type.Object({
  type: Type.Literal('lease_result'),
  result: Type.Union(leaseResults.map((result) => Type.Literal(result))),
  request_id: Type.Optional(Type.String()),
  /** granted, released: the lease. */
  lease: Type.Optional(pathLeaseSchema),
  /** denied: the lease of another task that overlaps the request. */
  holder: Type.Optional(pathLeaseSchema),
  /** error: the AC_ERR code and what went wrong. */
  code: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});
export type LeaseResult = Static<typeof leaseResultSchema>;
