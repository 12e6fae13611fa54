// The queue engine: what the hub needs from durable task storage.
//
// LMDB (task-queue.ts) is the embedded default; JetStream (jetstream/jetstream-queue.ts)
// serves several hubs from one NATS cluster. Every mutating call resolves only once its
// change is durable (and replicated, where the engine replicates), so callers may
// acknowledge at once.
//
// Writes are asynchronous and authoritative: each one is decided against the engine's
// current record (a transaction on LMDB, a compare-and-set on the record's KV revision on
// JetStream). Reads are synchronous and served from this hub's view of the queue: on LMDB
// the committed store itself, on JetStream a local view fed by the bucket's change feed, so
// a read may lag another hub's write by the feed's delay (never this hub's own acknowledged
// write). A stale read can only make a write try again, never decide wrongly. `caughtUp()`
// waits until the view includes every change acknowledged anywhere before the call; it
// resolves at once on LMDB. docs/architecture.md, "The queue engine", says why.
import type { Result } from './domain/errors.ts';
import type { TaskStatus } from './domain/task-status.ts';
import type { LeaseAcquireOutcome, LeaseWait, PathLease } from './path-lease-table.ts';
import type { NewTask, TaskRecord } from './task-record.ts';

export interface SubmitOutcome {
  task: TaskRecord;
  /** false when an idempotency key matched an existing task. */
  created: boolean;
}

/** One item of a bulk submit; `dependsOnItems` are indexes of earlier items it depends on. */
export interface BulkSubmitItem {
  input: NewTask;
  dependsOnItems: number[];
}

/** An operator's decision on a gated task; `by` is who made it (principal name), `reason` why (required to reject). */
export type ApprovalDecisionInput =
  | { decision: 'approved'; by: string | null; note: string | null }
  | { decision: 'rejected'; by: string | null; reason: string };

export interface FailOutcome {
  task: TaskRecord;
  outcome: 'retried' | 'dead_letter';
}

export interface Report {
  taskId: string;
  /** The reporting agent; null for hub-internal callers that act on any assignee. */
  agentId: string | null;
  /** A report without a generation counts as generation 0 (reference). */
  generation: number | undefined;
}

/**
 * What fencing reads of a task, and its lane: a stored record has them, and so has the queue's
 * index of assigned tasks. The `task.accepted` event carries these, not the record.
 */
export type FencingFacts = Pick<TaskRecord, 'id' | 'status' | 'generation' | 'assigned_to' | 'priority'>;

export type ReclaimReason = 'agent_disconnect' | 'acceptance_timeout' | 'rejected' | 'stuck' | 'overdue' | 'agent_removed';

export interface TaskFilter {
  status?: TaskStatus;
  priority?: number;
  assignedTo?: string;
  capability?: string;
  /** Page size; see `listPageLimits`. */
  limit?: number;
  /** Exclusive: tasks older than this cursor (tasks come newest first). */
  cursor?: number;
}

export interface TaskPage {
  tasks: TaskRecord[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: number | null;
  /** Records in this page's range that could not be read (damaged), skipped instead of failing the page. */
  unreadable?: Array<{ id: string; error: string }>;
}

export interface QueueStats {
  byStatus: Record<TaskStatus, number>;
  /** Queued tasks per lane, keyed by the lane integer as a string (reference shape). */
  queuedByPriority: Record<string, number>;
  capabilitySets: number;
}

/** Statuses retention may delete: finished work nobody will change again. */
export type RetainedStatus = 'completed' | 'cancelled' | 'dead_letter';

export interface ExpiredBatch {
  removed: number;
  /** Where the next batch of this status starts; null once the scan reached the end. */
  nextSeq: number | null;
}

/** The assignment a socket lease request is made for (fenced like a report). */
export interface LeaseReport {
  taskId: string;
  agentId: string;
  generation: number | undefined;
}

/** A queued task whose awaited lease ended: what the hub needs to offer it to an idle agent, without reading it. */
export interface LeaseWaiterFreed {
  taskId: string;
  /** The capabilities of its lane (its needed_capabilities). */
  neededCapabilities: readonly string[];
}

export interface LeaseStats {
  /** Leases held now: tasks' own and extra ones. */
  held: number;
  /** Queued tasks refused by the scheduler for a lease still held. */
  waiting: number;
}

export interface Reprioritised {
  task: TaskRecord;
  /** The lane it left; equal to task.priority when it was already there (nothing written). */
  from: number;
}

export const listPageLimits = { default: 500, max: 5000, scanned: 50_000 } as const;

/** An idle agent the hub offers a new task to at submit time. */
export interface SubmitTaker {
  agentId: string;
  capabilities: readonly string[];
}

export interface QueueEngine {
  /**
   * With `taker`, a task that would be queued and has nothing ready ahead of it for that
   * agent is written already assigned to it, in the submit's own write (one sync from
   * submit to task_assign). An engine may ignore `taker`: the hub then schedules as usual.
   */
  submit(input: NewTask, now: number, taker?: SubmitTaker): Promise<Result<SubmitOutcome>>;
  /** Many submits in one transaction; `atomic` writes all or none (a graph built from refs). */
  submitBulk(items: readonly BulkSubmitItem[], atomic: boolean, now: number): Promise<Result<Array<Result<SubmitOutcome>>>>;
  /** Called after each commit that moved waiting tasks (released, failed, cancelled or revived by the graph). */
  onDependentsSettled(listener: (tasks: TaskRecord[]) => void): void;
  /** Every task that named `taskId` in depends_on. */
  dependentsOf(taskId: string): TaskRecord[];
  /** Waiting tasks that still need `taskId`. */
  waitingOn(taskId: string): TaskRecord[];
  /** Dependencies a waiting task still needs; null when it is not waiting. */
  remainingDependencies(taskId: string): number | null;
  /** The oldest task of the highest lane that `capabilities` satisfy, now assigned to the agent; null when none fits. */
  claimNext(agentId: string, capabilities: readonly string[], now: number): Promise<Result<TaskRecord | null>>;
  /** Creates a task already assigned to `agentId` (admin push); it never enters the queue. */
  assignDirect(agentId: string, input: NewTask, now: number): Promise<Result<TaskRecord>>;
  accept(report: Report, now: number): Promise<Result<TaskRecord>>;
  /**
   * The report's fence (`report-fencing.ts`) against this hub's view, without writing: an
   * accept is answered from it. On LMDB an assigned task is fenced without reading its record.
   */
  fence(report: Report, action: string): Result<FencingFacts>;
  /**
   * `reportedTokens`: the report's cumulative tokens_used (storage/tokens-used.ts decides the count).
   * `alongside` runs inside the transaction with the task and its count before this report.
   */
  progress(report: Report, now: number, reportedTokens?: number | null, alongside?: (task: TaskRecord, tokensBefore: number | null) => void): Promise<Result<TaskRecord>>;
  /**
   * `reportedTokens` is the report's own `tokens_used`; without it the queue reads `result.tokens_used`.
   * `alongside` runs inside the completing transaction when it succeeds (a daily budget charged with it),
   * with the task's token count before this report.
   */
  complete(report: Report, result: unknown, reportedTokens: number | null, now: number, alongside?: (task: TaskRecord, tokensBefore: number | null) => void): Promise<Result<TaskRecord>>;
  /** `finalReason` (e.g. budget_exceeded): no retry, the task goes straight to the dead letters with that reason. */
  fail(report: Report, error: string, now: number, finalReason?: string): Promise<Result<FailOutcome>>;
  /**
   * Takes an assigned task back into its lane; `expectedGeneration` guards against reclaiming a newer
   * assignment, and `holder` against taking back a task another agent holds.
   */
  reclaim(taskId: string, reason: ReclaimReason, now: number, expectedGeneration?: number, holder?: string): Promise<Result<TaskRecord>>;
  cancel(taskId: string, now: number, cascade?: boolean): Promise<Result<TaskRecord>>;
  /**
   * Approves or rejects a task in `awaiting_approval`, in one durable transaction: approved, it goes
   * on to its dependencies, its delay and its lane (machines/task-approval-machine.ts decides which);
   * rejected, it is cancelled with reason `rejected` and its dependents settle by their policy.
   */
  decideApproval(taskId: string, decision: ApprovalDecisionInput, now: number): Promise<Result<TaskRecord>>;
  retryDeadLetter(taskId: string, now: number): Promise<Result<TaskRecord>>;
  /** Removes one dead letter, or all of them when `taskId` is omitted; resolves to how many went. */
  purgeDeadLetters(taskId?: string): Promise<Result<number>>;
  /** Moves delayed tasks whose time has come into their lanes; resolves to how many moved. */
  promoteDue(now: number): Promise<Result<TaskRecord[]>>;
  nextDelayedAt(): number | null;
  /**
   * Retention: deletes up to `maxRemoved` tasks of `status` whose last change is before `cutoff`,
   * looking at no more than `maxScanned` of them after `afterSeq` (one short transaction).
   */
  removeExpired(status: RetainedStatus, cutoff: number, afterSeq: number, limits: { maxScanned: number; maxRemoved: number }): Promise<Result<ExpiredBatch>>;

  /** Moves a queued, delayed or waiting task to another lane, with a history entry; refused for other states. */
  reprioritise(taskId: string, priority: number, now: number): Promise<Result<Reprioritised>>;

  // --- path leases (path-leases.ts): a task's `paths` are leased for exactly its assignment ---------
  /** Called after the commits that ended leases queued tasks waited for (once a turn, or before the next claims), with those nothing else holds back. */
  onLeaseWaitersFreed(listener: (freed: LeaseWaiterFreed[]) => void): void;
  /** An extra lease for the assignment, unless another task's lease overlaps (then `denied` names it). */
  leaseAcquire(report: LeaseReport, paths: readonly string[], repo: string | undefined, now: number): Promise<Result<LeaseAcquireOutcome>>;
  /** Releases an extra lease the agent holds. */
  leaseRelease(leaseId: string, agentId: string): Promise<Result<PathLease>>;
  /** The leases a task holds now. */
  leasesOf(taskId: string): PathLease[];
  /** The lease a queued task waits for, while it is held. */
  leaseWaitOf(taskId: string): LeaseWait | null;
  leaseStats(): LeaseStats;

  get(taskId: string): TaskRecord | undefined;
  list(filter: TaskFilter): TaskPage;
  listDeadLetters(filter: Pick<TaskFilter, 'limit' | 'cursor'>): TaskPage;
  /** Every task currently assigned (bounded by the number of agents). */
  assigned(): TaskRecord[];
  /** The tasks assigned to one agent (normally none or one), without a scan. */
  assignedTo(agentId: string): TaskRecord[];
  stats(): QueueStats;
  /** Resolves once reads include every change acknowledged (by any hub) before the call. */
  caughtUp(): Promise<void>;
  /**
   * Changes other hubs made, after this hub's view took them in (`before` is the view's previous
   * record, undefined for a new task or one removed). An engine serving one hub never calls it.
   */
  onRemoteChange(listener: (task: TaskRecord, before: TaskRecord | undefined) => void): void;
  close(): Promise<void>;
}
