// The queue engine on NATS JetStream: several hubs, one queue.
//
// Every task is one key of the tasks bucket. Every change is a compare-and-set on the
// key's revision, decided by the same pure rules as on LMDB (task-transitions.ts,
// failure-outcome.ts, reclaim-outcome.ts, report-fencing.ts): when another hub changed the
// task first, the CAS fails, the record is read again and the rule decides again. So two
// hubs can never both assign, both complete, or both reclaim one assignment. A method
// resolves only after JetStream acknowledged the write (stored on the stream's replicas).
//
// Reads come from this hub's view (task-view.ts), fed by the bucket's change feed and by
// this hub's own acknowledged writes.
//
// Idempotent submit: a task with an idempotency key gets an id derived from the key, and is
// written with `create` (only if the key does not exist): one atomic step, whichever hub wins.
import { createHash } from 'node:crypto';
import type { KvEntry } from '@nats-io/kv';
import { fail, ok, type Result } from '../domain/errors.ts';
import { retriedDeadLetter } from '../dead-letter-retry.ts';
import { failureOutcome } from '../failure-outcome.ts';
import type {
  BulkSubmitItem, ExpiredBatch, FailOutcome, FencingFacts, LeaseStats, QueueEngine, QueueStats, ReclaimReason, Report, Reprioritised, RetainedStatus, SubmitOutcome, TaskFilter, TaskPage,
} from '../queue-engine.ts';
import type { LeaseAcquireOutcome, LeaseWait, PathLease } from '../path-lease-table.ts';
import { listPageLimits } from '../queue-engine.ts';
import { randomHex } from '../random-hex.ts';
import { reclaimOutcome } from '../reclaim-outcome.ts';
import { checkReport } from '../report-fencing.ts';
import { createTaskRecord, type NewTask, type TaskRecord } from '../task-record.ts';
import { acceptance, assignment, cancellation, completion, directAssignment, progressed, promotion, reprioritisation } from '../task-transitions.ts';
import { tokensUsed } from '../tokens-used.ts';
import { BucketFeed, type FeedEvents } from './bucket-feed.ts';
import { isRevisionConflict, openNatsCluster, type NatsCluster, type NatsClusterOptions } from './nats-cluster.ts';
import { SequenceAllocator } from './sequence-allocator.ts';
import { TaskView } from './task-view.ts';
import { taskStatuses, type TaskStatus } from '../domain/task-status.ts';

/** CAS rounds before a change gives up (each lost round means another hub changed the task). */
const casAttempts = 16;
const claimAttempts = 8;

type Decide = (current: TaskRecord | undefined) => Result<TaskRecord>;

export class JetStreamTaskQueue implements QueueEngine {
  private readonly view = new TaskView();
  private readonly sequences: SequenceAllocator;
  /** Tasks picked by a claim of this hub whose CAS has not settled: other local claims skip them. */
  private readonly claiming = new Set<string>();
  private remoteListener: (task: TaskRecord, before: TaskRecord | undefined) => void = () => {};
  private readonly revisionWaiters: Array<{ revision: number; resolve: () => void }> = [];
  private feed: BucketFeed | null = null;
  private closed = false;

  private constructor(readonly cluster: NatsCluster) {
    this.sequences = new SequenceAllocator(cluster.meta);
  }

  /** Connects, opens (or creates) the buckets and loads the view; resolves once the view is caught up. */
  static async open(options: NatsClusterOptions & { feedEvents?: FeedEvents }): Promise<JetStreamTaskQueue> {
    const queue = new JetStreamTaskQueue(await openNatsCluster(options));
    try {
      await queue.startFeed(options.feedEvents);
      await queue.caughtUp();
    } catch (error) {
      await queue.feed?.stop();
      await queue.cluster.close().catch(() => {});
      throw error;
    }
    return queue;
  }

  submit(input: NewTask, now: number): Promise<Result<SubmitOutcome>> {
    return this.guard(() => this.create(input, now));
  }

  /**
   * Each item is a submit of its own (JetStream has no multi-key transaction). `atomic` checks
   * every item first and writes none when any would fail; a write failing after that (the
   * cluster lost quorum midway) can still leave the earlier items written.
   */
  submitBulk(items: readonly BulkSubmitItem[], atomic: boolean, now: number): Promise<Result<Array<Result<SubmitOutcome>>>> {
    return this.guard(async () => {
      if (items.some((item) => item.dependsOnItems.length > 0 || (item.input.dependsOn?.length ?? 0) > 0)) {
        return fail('AC_ERR_NOT_IMPLEMENTED', 'task dependencies on the jetstream engine');
      }
      if (atomic) {
        const refused = await this.precheck(items);
        if (refused) return ok(refused);
      }
      return ok(await Promise.all(items.map((item) => this.create(item.input, now))));
    });
  }

  /** Dependencies are not kept on this engine (submits naming them are refused): nothing ever settles. */
  onDependentsSettled(): void {}

  dependentsOf(): TaskRecord[] {
    return [];
  }

  waitingOn(): TaskRecord[] {
    return [];
  }

  remainingDependencies(): number | null {
    return null;
  }

  claimNext(agentId: string, capabilities: readonly string[], now: number): Promise<Result<TaskRecord | null>> {
    return this.guard(async () => {
      for (let attempt = 0; attempt < claimAttempts; attempt++) {
        const taskId = this.view.pick(capabilities, this.claiming);
        if (taskId === null) return ok(null);
        this.claiming.add(taskId);
        try {
          const claimed = await this.change(taskId, (task) => assignment(taskId, task, agentId, now));
          // Lost to another hub (or cancelled meanwhile): pick again.
          if (claimed.ok || (claimed.code !== 'AC_ERR_INVALID_STATE' && claimed.code !== 'AC_ERR_TASK_NOT_FOUND')) return claimed;
        } finally {
          this.claiming.delete(taskId);
        }
      }
      return ok(null);
    });
  }

  assignDirect(agentId: string, input: NewTask, now: number): Promise<Result<TaskRecord>> {
    return this.guard(async () => {
      if (input.paths?.length) return fail('AC_ERR_NOT_IMPLEMENTED', 'path leases (paths) on the jetstream engine');
      const seq = await this.sequences.take();
      const queued = createTaskRecord(newTaskId(), seq, { ...input, notBefore: null, idempotencyKey: null }, now);
      const assigned = directAssignment(queued, agentId, now);
      const written = await this.createKey(assigned);
      if (!written.ok) return written;
      return written.value === null ? fail('AC_ERR_STORAGE', `task id ${assigned.id} exists already`) : ok(assigned);
    });
  }

  fence(report: Report, action: string): Result<FencingFacts> {
    return checkReport<FencingFacts>(this.get(report.taskId), report, action);
  }

  accept(report: Report, now: number): Promise<Result<TaskRecord>> {
    return this.guard(() => this.change(report.taskId, (task) => fenced(task, report, 'task_accepted', (held) => acceptance(held, now))));
  }

  /** `alongside` runs after the change is acknowledged (there is no transaction to run it in): daily budgets are charged per hub. */
  progress(report: Report, now: number, reportedTokens: number | null = null, alongside?: (task: TaskRecord, tokensBefore: number | null) => void): Promise<Result<TaskRecord>> {
    return this.guard(async () => {
      let before: number | null = null;
      const updated = await this.change(report.taskId, (task) => fenced(task, report, 'task_progress', (held) => {
        before = held.tokens_used;
        return progressed(held, reportedTokens, now);
      }));
      if (updated.ok) alongside?.(updated.value, before);
      return updated;
    });
  }

  /** `alongside` runs after the completion is acknowledged (there is no transaction to run it in). */
  complete(report: Report, result: unknown, reportedTokens: number | null, now: number, alongside?: (task: TaskRecord, tokensBefore: number | null) => void): Promise<Result<TaskRecord>> {
    const tokens = tokensUsed(reportedTokens, result);
    return this.guard(async () => {
      let before: number | null = null;
      const completed = await this.change(report.taskId, (task) =>
        fenced(task, report, 'task_complete', (held) => {
          before = held.tokens_used;
          return completion(held, result, tokens, now);
        }));
      if (completed.ok) alongside?.(completed.value, before);
      return completed;
    });
  }

  reprioritise(taskId: string, priority: number, now: number): Promise<Result<Reprioritised>> {
    return this.guard(async () => {
      let from = priority;
      const moved = await this.change(taskId, (task) => {
        from = task?.priority ?? priority;
        return reprioritisation(taskId, task, priority, now);
      });
      return moved.ok ? ok({ task: moved.value, from }) : moved;
    });
  }

  // Path leases and approval gates are decided inside one LMDB transaction with the task they
  // belong to; on JetStream that needs a lease bucket of its own (issue 17 follow-up). Until then
  // a task that declares paths or asks for approval is refused at submit, never silently unguarded.
  decideApproval(taskId: string): Promise<Result<TaskRecord>> {
    return Promise.resolve(fail('AC_ERR_NOT_IMPLEMENTED', `approval gates on the jetstream engine (task ${taskId})`));
  }

  onLeaseWaitersFreed(): void {}

  leaseAcquire(): Promise<Result<LeaseAcquireOutcome>> {
    return Promise.resolve(fail('AC_ERR_NOT_IMPLEMENTED', 'path leases on the jetstream engine'));
  }

  leaseRelease(): Promise<Result<PathLease>> {
    return Promise.resolve(fail('AC_ERR_NOT_IMPLEMENTED', 'path leases on the jetstream engine'));
  }

  leasesOf(): PathLease[] {
    return [];
  }

  leaseWaitOf(): LeaseWait | null {
    return null;
  }

  leaseStats(): LeaseStats {
    return { held: 0, waiting: 0 };
  }

  fail(report: Report, error: string, now: number, finalReason?: string): Promise<Result<FailOutcome>> {
    return this.guard(async () => {
      let outcome: FailOutcome['outcome'] = 'retried';
      const changed = await this.change(report.taskId, (task) => {
        const held = checkReport(task, report, 'task_failed');
        if (!held.ok) return held;
        const decided = failureOutcome(held.value, error, now, Math.random, finalReason);
        outcome = decided.outcome;
        return ok(decided.task);
      });
      return changed.ok ? ok({ task: changed.value, outcome }) : changed;
    });
  }

  reclaim(taskId: string, reason: ReclaimReason, now: number, expectedGeneration?: number, holder?: string): Promise<Result<TaskRecord>> {
    return this.guard(() => this.change(taskId, (task) =>
      reclaimOutcome(taskId, task, reason, now, { generation: expectedGeneration, agentId: holder })));
  }

  cancel(taskId: string, now: number): Promise<Result<TaskRecord>> {
    return this.guard(() => this.change(taskId, (task) => cancellation(taskId, task, now)));
  }

  retryDeadLetter(taskId: string, now: number): Promise<Result<TaskRecord>> {
    return this.guard(() => this.change(taskId, (task) => {
      if (!task) return fail('AC_ERR_TASK_NOT_FOUND', taskId);
      if (task.status !== 'dead_letter') return fail('AC_ERR_INVALID_STATE', taskId, task.status, 'retry', 'dead_letter');
      return ok(retriedDeadLetter(task, now));
    }));
  }

  purgeDeadLetters(taskId?: string): Promise<Result<number>> {
    return this.guard(async () => {
      if (taskId !== undefined) {
        const entry = await this.fresh(taskId);
        if (entry?.task.status !== 'dead_letter') return fail('AC_ERR_TASK_NOT_FOUND', taskId);
        const removed = await this.removeKey(entry.task.id, entry.revision);
        return removed.ok ? ok(1) : removed;
      }
      let purged = 0;
      for (const task of this.view.withStatus('dead_letter')) {
        const entry = this.view.get(task.id);
        const removed = entry ? await this.removeKey(task.id, entry.revision) : ok(false);
        if (!removed.ok) return removed;
        if (removed.value) purged += 1;
      }
      return ok(purged);
    });
  }

  promoteDue(now: number): Promise<Result<TaskRecord[]>> {
    return this.guard(async () => {
      const promoted: TaskRecord[] = [];
      for (const taskId of this.view.due(now)) {
        const moved = await this.change(taskId, (task) => {
          const queued = promotion(task, now);
          return queued ? ok(queued) : fail('AC_ERR_INVALID_STATE', taskId, task?.status ?? 'missing', 'promote', 'delayed');
        });
        // Another hub promoted it first: it is queued either way.
        if (moved.ok) promoted.push(moved.value);
        else if (moved.code !== 'AC_ERR_INVALID_STATE' && moved.code !== 'AC_ERR_TASK_NOT_FOUND') return moved;
      }
      return ok(promoted);
    });
  }

  nextDelayedAt(): number | null {
    return this.view.nextDelayedAt();
  }

  removeExpired(status: RetainedStatus, cutoff: number, afterSeq: number, limits: { maxScanned: number; maxRemoved: number }): Promise<Result<ExpiredBatch>> {
    return this.guard(async () => {
      const scannedTasks = this.view.ofStatusAfter(status, afterSeq, limits.maxScanned);
      let removed = 0;
      let lastSeq: number | null = null;
      for (const task of scannedTasks) {
        lastSeq = task.seq;
        if (task.updated_at >= cutoff) continue;
        const entry = this.view.get(task.id);
        if (!entry) continue;
        const gone = await this.removeKey(task.id, entry.revision);
        if (!gone.ok) return gone;
        if (gone.value) removed += 1;
        if (removed >= limits.maxRemoved) break;
      }
      const reachedEnd = scannedTasks.length < limits.maxScanned && removed < limits.maxRemoved;
      return ok({ removed, nextSeq: reachedEnd ? null : lastSeq });
    });
  }

  get(taskId: string): TaskRecord | undefined {
    return this.view.get(taskId)?.task;
  }

  list(filter: TaskFilter): TaskPage {
    return this.view.list(filter, filter.status ? [filter.status] : taskStatuses);
  }

  listDeadLetters(filter: Pick<TaskFilter, 'limit' | 'cursor'>): TaskPage {
    return this.view.list({ ...filter, limit: filter.limit ?? listPageLimits.default }, ['dead_letter']);
  }

  assigned(): TaskRecord[] {
    return this.view.withStatus('assigned').sort((a, b) => a.seq - b.seq);
  }

  assignedTo(agentId: string): TaskRecord[] {
    return this.view.assignedTo(agentId);
  }

  stats(): QueueStats {
    const byStatus = Object.fromEntries(taskStatuses.map((s) => [s, this.view.count(s)])) as Record<TaskStatus, number>;
    const queuedByPriority = Object.fromEntries([0, 1, 2, 3].map((p) => [String(p), this.view.queuedInLane(p)]));
    return { byStatus, queuedByPriority, capabilitySets: this.view.capabilitySets };
  }

  /** Waits until the view has taken in the bucket's last revision as of this call. */
  async caughtUp(): Promise<void> {
    const status = await this.cluster.tasks.status();
    const last = status.streamInfo.state.last_seq;
    if (this.view.revision >= last) return;
    await new Promise<void>((resolve) => this.revisionWaiters.push({ revision: last, resolve }));
  }

  onRemoteChange(listener: (task: TaskRecord, before: TaskRecord | undefined) => void): void {
    this.remoteListener = listener;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.feed?.stop();
    await this.cluster.close();
  }

  // --- writes -----------------------------------------------------------------

  /**
   * Decides a change against the task as this hub sees it and writes it by CAS on that
   * revision; when another hub moved the task first, reads it again and decides again.
   */
  private async change(taskId: string, decide: Decide): Promise<Result<TaskRecord>> {
    let entry = this.view.get(taskId) ?? (await this.fresh(taskId));
    for (let attempt = 0; attempt < casAttempts; attempt++) {
      const decided = decide(entry?.task);
      if (!decided.ok) {
        // The view may lag another hub: a refusal counts only when decided on the bucket's latest record.
        if (attempt > 0) return decided;
        entry = await this.fresh(taskId);
        continue;
      }
      if (!entry) return fail('AC_ERR_TASK_NOT_FOUND', taskId);
      try {
        const revision = await this.cluster.tasks.update(taskId, JSON.stringify(decided.value), entry.revision);
        this.view.apply(decided.value, revision);
        this.settleWaiters();
        return decided;
      } catch (error) {
        if (!isRevisionConflict(error)) return storageFailure(error);
        entry = await this.fresh(taskId);
      }
    }
    return fail('AC_ERR_STORAGE', `task ${taskId} kept changing under ${casAttempts} compare-and-set attempts`);
  }

  /** Reads the task's latest record from the bucket into the view. */
  private async fresh(taskId: string): Promise<{ task: TaskRecord; revision: number } | undefined> {
    const entry = await this.cluster.tasks.get(taskId);
    if (!entry) return undefined;
    this.take(entry, false);
    return entry.operation === 'PUT' ? { task: entry.json<TaskRecord>(), revision: entry.revision } : undefined;
  }

  private async create(input: NewTask, now: number): Promise<Result<SubmitOutcome>> {
    if ((input.dependsOn?.length ?? 0) > 0) return fail('AC_ERR_NOT_IMPLEMENTED', 'task dependencies on the jetstream engine');
    if (input.paths?.length) return fail('AC_ERR_NOT_IMPLEMENTED', 'path leases (paths) on the jetstream engine');
    if (input.requiresApproval) return fail('AC_ERR_NOT_IMPLEMENTED', 'approval gates (requires_approval) on the jetstream engine');
    const existing = await this.existingFor(input);
    if (existing) return existing;
    let seq: number;
    try {
      seq = await this.sequences.take();
    } catch (error) {
      return storageFailure(error);
    }
    const id = input.idempotencyKey === null ? newTaskId() : idempotentTaskId(input.idempotencyKey);
    const task = createTaskRecord(id, seq, input, now);
    const written = await this.createKey(task);
    if (!written.ok) return written;
    if (written.value !== null) return ok({ task, created: true });
    // Another hub created the same idempotent task between our check and our write.
    return (await this.existingFor(input)) ?? fail('AC_ERR_STORAGE', `task ${id} was created and removed meanwhile`);
  }

  /** The task an idempotency key already made, or the conflict when it made a different one. */
  private async existingFor(input: NewTask): Promise<Result<SubmitOutcome> | null> {
    if (input.idempotencyKey === null) return null;
    const id = idempotentTaskId(input.idempotencyKey);
    const existing = this.view.get(id) ?? (await this.fresh(id));
    if (!existing) return null;
    if (existing.task.description !== input.description || existing.task.idempotency_key !== input.idempotencyKey) {
      return fail('AC_ERR_IDEMPOTENCY_CONFLICT', input.idempotencyKey);
    }
    return ok({ task: existing.task, created: false });
  }

  private async precheck(items: readonly BulkSubmitItem[]): Promise<Array<Result<SubmitOutcome>> | null> {
    const keysInBatch = new Map<string, string>();
    const failures: Array<Result<SubmitOutcome> | null> = [];
    for (const { input } of items) {
      let failure: Result<SubmitOutcome> | null = null;
      if (input.idempotencyKey !== null) {
        const earlier = keysInBatch.get(input.idempotencyKey);
        if (earlier !== undefined && earlier !== input.description) failure = fail('AC_ERR_IDEMPOTENCY_CONFLICT', input.idempotencyKey);
        keysInBatch.set(input.idempotencyKey, input.description);
        const existing = failure ?? (await this.existingFor(input));
        if (existing && !existing.ok) failure = existing;
      }
      failures.push(failure);
    }
    if (failures.every((failure) => failure === null)) return null;
    const first = failures.findIndex((failure) => failure !== null);
    return failures.map((failure) => failure ?? fail('AC_ERR_BULK_ABORTED', first));
  }

  /** Writes a new key; resolves to its revision, or null when the key exists already. */
  private async createKey(task: TaskRecord): Promise<Result<number | null>> {
    try {
      const revision = await this.cluster.tasks.create(task.id, JSON.stringify(task));
      this.view.apply(task, revision);
      this.settleWaiters();
      return ok(revision);
    } catch (error) {
      return isRevisionConflict(error) ? ok(null) : storageFailure(error);
    }
  }

  /** Deletes a key at `revision`; false when another hub changed or removed it first. */
  private async removeKey(taskId: string, revision: number): Promise<Result<boolean>> {
    try {
      await this.cluster.tasks.delete(taskId, { previousSeq: revision });
      // The delete marker's own revision is not returned; any revision above the record's hides it.
      this.view.remove(taskId, revision + 1);
      return ok(true);
    } catch (error) {
      return isRevisionConflict(error) ? ok(false) : storageFailure(error);
    }
  }

  private guard<T>(write: () => Promise<Result<T>>): Promise<Result<T>> {
    if (this.closed) return Promise.resolve(fail('AC_ERR_QUEUE_CLOSED'));
    return write().catch((error: unknown) => storageFailure(error));
  }

  // --- the change feed ----------------------------------------------------------

  private async startFeed(events: FeedEvents = {}): Promise<void> {
    this.feed = await BucketFeed.start(this.cluster.tasks, (entry) => this.take(entry, true), { name: 'tasks', ...events });
  }

  /** Takes one record (or deletion) into the view; `fromFeed` tells the hub of other hubs' changes. */
  private take(entry: KvEntry, fromFeed: boolean): void {
    if (entry.operation === 'PUT') {
      const task = entry.json<TaskRecord>();
      const { applied, before } = this.view.apply(task, entry.revision);
      if (applied && fromFeed) this.remoteListener(task, before);
    } else {
      this.view.remove(entry.key, entry.revision, fromFeed);
    }
    this.settleWaiters();
  }

  private settleWaiters(): void {
    for (let i = this.revisionWaiters.length - 1; i >= 0; i--) {
      if (this.view.revision >= this.revisionWaiters[i].revision) {
        this.revisionWaiters[i].resolve();
        this.revisionWaiters.splice(i, 1);
      }
    }
  }
}

/** A report's change, applied only when generation fencing lets the report count. */
function fenced(task: TaskRecord | undefined, report: Report, action: string, change: (held: TaskRecord) => TaskRecord): Result<TaskRecord> {
  const held = checkReport(task, report, action);
  return held.ok ? ok(change(held.value)) : held;
}

function storageFailure(error: unknown): Result<never> {
  return fail('AC_ERR_STORAGE', error instanceof Error ? error.message : String(error));
}

const newTaskId = () => `task-${randomHex(8)}`;

/** The same key gives the same id on every hub, so `create` makes the task exactly once. */
function idempotentTaskId(key: string): string {
  return `task-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}
