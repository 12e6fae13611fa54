// The embedded queue engine on LMDB.
//
// Each mutating method is one transaction. Its callback is short and synchronous
// (it holds the single write lock), reads inside it see the batch's own writes,
// and the method resolves only after `flushed`: a kill -9 after the promise
// resolves cannot lose the change, and one sync covers every change in the batch.
import { fail, ok, type Result } from './domain/errors.ts';
import { approvalGate } from './approval-gate.ts';
import { taskStatuses, type TaskStatus } from './domain/task-status.ts';
import { deadLetterTransactions } from './dead-letters.ts';
import { DependencyIndex } from './dependency-index.ts';
import { durableWrite } from './durable-write.ts';
import { openLmdbStore, type LmdbStore, type ReadyKey } from './lmdb-store.ts';
import { randomHex } from './random-hex.ts';
import { ReadyPicker } from './ready-picker.ts';
import type { LeaseAcquireOutcome, LeaseWait, PathLease } from './path-lease-table.ts';
import { failureOutcome } from './failure-outcome.ts';
import { reclaimOutcome } from './reclaim-outcome.ts';
import { checkReport } from './report-fencing.ts';
import type {
  ApprovalDecisionInput, BulkSubmitItem, ExpiredBatch, FailOutcome, FencingFacts, LeaseReport, LeaseWaiterFreed, LeaseStats, QueueEngine, Reprioritised, RetainedStatus, QueueStats, ReclaimReason, Report,
  SubmitOutcome, SubmitTaker, TaskFilter, TaskPage,
} from './queue-engine.ts';
import { listPageLimits } from './queue-engine.ts';
import { TaskIndexes } from './task-indexes.ts';
import { tokensUsed } from './tokens-used.ts';
import { acceptance, assignment, cancellation, completion, directAssignment, progressed, promotion, reprioritisation } from './task-transitions.ts';
import { listTasks } from './task-listing.ts';
import { readTaskRecord } from './task-record-reader.ts';
import { createTaskRecord, transition, type NewTask, type TaskRecord } from './task-record.ts';

const seqKey = 'task_seq';

interface ClaimRequest {
  agentId: string;
  capabilities: readonly string[];
  now: number;
  attempts: number;
  resolve: (result: Result<TaskRecord | null>) => void;
}
const claimAttempts = 8;

export class LmdbTaskQueue implements QueueEngine {
  private indexes: TaskIndexes;
  private deadLetters;
  private dependencies: DependencyIndex;
  private readonly gate: ReturnType<typeof approvalGate>;
  private settledListener: (tasks: TaskRecord[]) => void = () => {};
  private leaseFreedListener: (freed: LeaseWaiterFreed[]) => void = () => {};
  /** Tasks picked for a claim whose transaction has not committed yet: later picks skip them. */
  private readonly claiming = new Set<string>();
  private readonly claimRequests: ClaimRequest[] = [];
  private claimsScheduled = false;
  private leaseSettleScheduled = false;
  private seq: number;
  private closed = false;
  /**
   * By task, the call number of its latest completion whose transaction has not run yet. Write
   * callbacks run in call order, so an accept called before it can ride in its transaction.
   */
  private readonly completionsPending = new Map<string, number>();
  private calls = 0;
  /** Accepts handed to the completion queued behind them (one per task), applied in its transaction. */
  private readonly ridingAccepts = new Map<string, RidingAccept>();

  private constructor(private readonly store: LmdbStore) {
    this.indexes = TaskIndexes.load(store);
    this.seq = (store.meta.get(seqKey) as number | undefined) ?? 0;
    this.deadLetters = deadLetterTransactions(store, this.indexes);
    this.dependencies = new DependencyIndex(store, this.indexes);
    this.gate = approvalGate(store, () => this.indexes, () => this.dependencies);
  }

  static open(path: string): LmdbTaskQueue {
    return new LmdbTaskQueue(openLmdbStore({ path }));
  }

  static onStore(store: LmdbStore): LmdbTaskQueue {
    return new LmdbTaskQueue(store);
  }

  submit(input: NewTask, now: number, taker?: SubmitTaker): Promise<Result<SubmitOutcome>> {
    return this.write<SubmitOutcome>(() => {
      const created = this.create(input, now);
      if (!taker || !created.ok || !created.value.created || created.value.task.status !== 'queued') return created;
      const { task } = created.value;
      // A task with paths goes through a claim, whose pick checks them against the leases held.
      if (task.paths?.length || this.readyAhead(task, taker.capabilities)) return created;
      // Through the claim's own assign, so whatever gates a claim gates this too.
      const assigned = this.assign(task.id, taker.agentId, now);
      return assigned.ok ? ok({ task: assigned.value, created: true }) : created;
    });
  }

  /** True when a queued task the agent could take (not being claimed) comes before `task`: it goes first. */
  private readyAhead(task: TaskRecord, capabilities: readonly string[]): boolean {
    for (const capset of this.indexes.capsets.matching(capabilities)) {
      for (const { key, value: id } of this.store.ready.getRange({ start: [capset], end: [capset, task.priority, task.seq] })) {
        if (key[2] !== task.seq && !this.claiming.has(id)) return true;
      }
    }
    return false;
  }

  /**
   * Many submits in one transaction and one sync. Each item is checked and idempotent as a
   * single submit; `dependsOnItems` names earlier items whose ids join its depends_on.
   * `atomic` (a graph): when any item would fail, nothing is written and every item gets an error.
   */
  submitBulk(items: readonly BulkSubmitItem[], atomic: boolean, now: number): Promise<Result<Array<Result<SubmitOutcome>>>> {
    return this.write(() => {
      if (atomic) {
        const refused = this.precheckGraph(items);
        if (refused) return ok(refused);
      }
      const outcomes: Array<Result<SubmitOutcome>> = [];
      for (const item of items) {
        const fromItems = item.dependsOnItems.map((index) => {
          const earlier = outcomes[index];
          return earlier?.ok ? earlier.value.task.id : '';
        });
        const dependsOn = [...(item.input.dependsOn ?? []), ...fromItems.filter((id) => id !== '')];
        outcomes.push(this.create({ ...item.input, dependsOn }, now));
      }
      return ok(outcomes);
    });
  }

  /** Tasks moved by their dependencies (released, failed, cancelled, revived), after each commit that moved any. */
  onDependentsSettled(listener: (tasks: TaskRecord[]) => void): void {
    this.settledListener = listener;
  }

  /** Queued tasks whose awaited lease ended (and that no other lease holds back), after each commit that ended one. */
  onLeaseWaitersFreed(listener: (freed: LeaseWaiterFreed[]) => void): void {
    this.leaseFreedListener = listener;
  }

  leaseAcquire(report: LeaseReport, paths: readonly string[], repo: string | undefined, now: number): Promise<Result<LeaseAcquireOutcome>> {
    return this.write(() => this.indexes.leases.acquire(report, paths, repo, now));
  }

  leaseRelease(leaseId: string, agentId: string): Promise<Result<PathLease>> {
    return this.write(() => this.indexes.leases.release(leaseId, agentId));
  }

  leasesOf(taskId: string): PathLease[] {
    return this.indexes.leases.table.ofTask(taskId);
  }

  leaseWaitOf(taskId: string): LeaseWait | null {
    return this.get(taskId)?.status === 'queued' ? this.indexes.leases.waitOf(taskId) : null;
  }

  leaseStats(): LeaseStats {
    return { held: this.indexes.leases.table.size, waiting: this.indexes.leases.waitingCount() };
  }

  /** Moves a queued, delayed or waiting task to another lane; it keeps its seq, so its place among older and newer tasks. */
  reprioritise(taskId: string, priority: number, now: number): Promise<Result<Reprioritised>> {
    return this.write<Reprioritised>(() => {
      const task = this.store.tasks.get(taskId);
      const moved = reprioritisation(taskId, task ?? this.store.deadLetters.get(taskId), priority, now);
      if (!moved.ok || !task) return moved.ok ? fail('AC_ERR_TASK_NOT_FOUND', taskId) : moved;
      if (moved.value === task) return ok({ task, from: priority });
      this.indexes.putActive(task, moved.value);
      return ok({ task: moved.value, from: task.priority });
    });
  }

  dependentsOf(taskId: string): TaskRecord[] {
    return this.dependencies.dependentsOf(taskId).flatMap((id) => this.get(id) ?? []);
  }

  waitingOn(taskId: string): TaskRecord[] {
    return this.dependencies.waitingOn(taskId);
  }

  remainingDependencies(taskId: string): number | null {
    return this.dependencies.remainingFor(taskId);
  }

  /** Reads: idempotency[key], tasks/dead_letters of each dependency. Writes: the task, its indexes and edges. */
  private create(input: NewTask, now: number): Result<SubmitOutcome> {
    const existing = this.existingFor(input);
    if (existing) return existing;
    const dependsOn = input.dependsOn ?? [];
    const standing = dependsOn.length > 0 ? this.dependencies.standing(dependsOn, input.onDependencyFailure ?? 'fail') : null;
    if (standing && standing.missing.length > 0) return fail('AC_ERR_DEPENDENCY_NOT_FOUND', standing.missing.join(', '));
    let task = createTaskRecord(newTaskId(), ++this.seq, input, now, standing?.outcome === 'waiting');
    this.store.meta.put(seqKey, this.seq);
    if (input.idempotencyKey !== null) this.store.idempotency.put(input.idempotencyKey, task.id);
    this.indexes.putActive(undefined, task);
    // A gated task is not settled by its dependencies before it is approved (approval comes first).
    if (standing?.outcome === 'dependency_failed' && task.status !== 'awaiting_approval') {
      // A dependency already failed: the policy settles the new task at once, as it would have later.
      const failedId = standing.failedDependency;
      const dead = transition(task, { status: 'dead_letter', failed_dependency: failedId, last_error: `dependency ${failedId} failed` },
        'dead_letter', now, { reason: 'dependency_failed', dependency: failedId });
      this.indexes.moveToDeadLetters(task, dead);
      task = dead;
    }
    if (standing) this.dependencies.link(task, standing);
    return ok({ task, created: true });
  }

  private existingFor(input: NewTask): Result<SubmitOutcome> | null {
    if (input.idempotencyKey === null) return null;
    const existingId = this.store.idempotency.get(input.idempotencyKey);
    const existing = existingId && this.get(existingId);
    if (!existing) return null;
    if (existing.description !== input.description) return fail('AC_ERR_IDEMPOTENCY_CONFLICT', input.idempotencyKey);
    return ok({ task: existing, created: false });
  }

  /** Reads only: the failure each item of a graph would meet, or null when all would pass. */
  private precheckGraph(items: readonly BulkSubmitItem[]): Array<Result<SubmitOutcome>> | null {
    const keysInBatch = new Map<string, string>();
    const failures = items.map((item): Result<SubmitOutcome> | null => {
      const { idempotencyKey, description, dependsOn } = item.input;
      if (idempotencyKey !== null) {
        const earlier = keysInBatch.get(idempotencyKey);
        if (earlier !== undefined && earlier !== description) return fail('AC_ERR_IDEMPOTENCY_CONFLICT', idempotencyKey);
        keysInBatch.set(idempotencyKey, description);
        const existing = this.existingFor(item.input);
        if (existing && !existing.ok) return existing;
      }
      const missing = (dependsOn ?? []).filter((id) => !this.get(id));
      return missing.length > 0 ? fail('AC_ERR_DEPENDENCY_NOT_FOUND', missing.join(', ')) : null;
    });
    if (failures.every((failure) => failure === null)) return null;
    const first = failures.findIndex((failure) => failure !== null);
    return failures.map((failure) => failure ?? fail('AC_ERR_BULK_ABORTED', first));
  }

  /**
   * Claims made in the same event-loop turn are picked together in one walk of the
   * ready index and committed in one transaction (one sync for the whole batch).
   */
  claimNext(agentId: string, capabilities: readonly string[], now: number): Promise<Result<TaskRecord | null>> {
    return new Promise((resolve) => {
      this.claimRequests.push({ agentId, capabilities, now, resolve, attempts: 0 });
      this.scheduleClaims();
    });
  }

  assignDirect(agentId: string, input: NewTask, now: number): Promise<Result<TaskRecord>> {
    return this.write(() => {
      // Past the queue, not past the leases: the pushed task's paths are checked as a claim's.
      const holder = input.paths?.length ? this.indexes.leases.conflictOf(input.metadata, input.paths) : null;
      if (holder) return fail('AC_ERR_LEASE_HELD', input.paths!.join(', '), holder.task_id, holder.agent_id ?? 'being assigned');
      const queued = createTaskRecord(newTaskId(), ++this.seq, { ...input, notBefore: null }, now);
      this.store.meta.put(seqKey, this.seq);
      const assigned = directAssignment(queued, agentId, now);
      this.indexes.putActive(undefined, assigned);
      return ok(assigned);
    });
  }

  fence(report: Report, action: string): Result<FencingFacts> {
    // Only a refusal of a task that is not assigned (rare) reads the record, for its status.
    return checkReport<FencingFacts>(this.indexes.fencingOf(report.taskId) ?? this.get(report.taskId), report, action);
  }

  /**
   * When the task's completion is already queued behind this accept (an agent that answers
   * task_assign with both at once), the accept rides in the completion's transaction: one read
   * and one write of the record instead of two. It resolves, durable, with that commit; a
   * completion that does not run its transaction writes it after all.
   */
  accept(report: Report, now: number): Promise<Result<TaskRecord>> {
    const call = ++this.calls;
    return new Promise((resolve) => {
      let riding = false;
      void this.write(() => {
        if ((this.completionsPending.get(report.taskId) ?? 0) > call && !this.ridingAccepts.has(report.taskId)) {
          riding = true;
          this.ridingAccepts.set(report.taskId, { report, now, settle: resolve });
          return ok(null);
        }
        return this.updateAssigned(report, 'task_accepted', (task) => acceptance(task, now));
      }).then((written) => {
        if (!riding) resolve(written as Result<TaskRecord>);
      });
    });
  }

  progress(report: Report, now: number, reportedTokens: number | null = null, alongside?: (task: TaskRecord, tokensBefore: number | null) => void): Promise<Result<TaskRecord>> {
    return this.write(() => {
      let before: number | null = null;
      const updated = this.updateAssigned(report, 'task_progress', (task) => {
        before = task.tokens_used;
        return progressed(task, reportedTokens, now);
      });
      if (updated.ok) alongside?.(updated.value, before);
      return updated;
    });
  }

  async complete(report: Report, result: unknown, reportedTokens: number | null, now: number, alongside?: (task: TaskRecord, tokensBefore: number | null) => void): Promise<Result<TaskRecord>> {
    const reported = tokensUsed(reportedTokens, result);
    const { taskId } = report;
    const call = ++this.calls;
    this.completionsPending.set(taskId, call);
    let ran = false;
    let rider: RidingAccept | undefined;
    let accepted: Result<TaskRecord> | undefined;
    let decided: Result<TaskRecord> | undefined;
    const completed = await this.write(() => {
      ran = true;
      this.completionRan(taskId, call);
      rider = this.ridingAccepts.get(taskId);
      this.ridingAccepts.delete(taskId);
      const stored = this.store.tasks.get(taskId);
      // The accept first, fenced by its own report; the completion is then fenced against the accepted record.
      let current = stored;
      if (rider) {
        const fenced = checkReport(current, rider.report, 'task_accepted');
        accepted = fenced.ok ? ok(acceptance(fenced.value, rider.now)) : fenced;
        if (accepted.ok) current = accepted.value;
      }
      let before: number | null = null;
      decided = this.updateAssigned(report, 'task_complete', (task) => {
        before = task.tokens_used;
        return completion(task, result, reported, now);
      }, current, stored);
      // A refused completion still writes the accept it carried.
      if (!decided.ok && current !== stored) this.indexes.putActive(stored, current!);
      if (decided.ok) {
        this.dependencies.settle(decided.value, now);
        alongside?.(decided.value, before);
      }
      return decided;
    });
    if (!ran) this.completionRan(taskId, call);
    // Not waited for: the completion's own answer does not depend on it.
    if (rider) void this.settleRider(rider, accepted!, completed === decided ? null : completed);
    // The completion never ran its transaction (the queue closed, the disk was full): the accept goes alone.
    const stranded = ran ? undefined : this.ridingAccepts.get(taskId);
    if (stranded) {
      this.ridingAccepts.delete(taskId);
      void this.accept(stranded.report, stranded.now).then(stranded.settle);
    }
    return completed;
  }

  /** Answers an accept that rode in a completion's transaction, once it is durable or failed with it. */
  private async settleRider(rider: RidingAccept, accepted: Result<TaskRecord>, commitFailure: Result<TaskRecord> | null): Promise<void> {
    if (commitFailure) return rider.settle(commitFailure);
    // A refused completion resolves without waiting for the flush; the accept it carried must be on disk first.
    if (accepted.ok) await this.store.flushed();
    rider.settle(accepted);
  }

  private completionRan(taskId: string, call: number): void {
    if (this.completionsPending.get(taskId) === call) this.completionsPending.delete(taskId);
  }

  fail(report: Report, error: string, now: number, finalReason?: string): Promise<Result<FailOutcome>> {
    return this.write<FailOutcome>(() => {
      const task = this.store.tasks.get(report.taskId);
      const fenced = checkReport(task, report, 'task_failed');
      if (!fenced.ok) return fenced;
      const decided = failureOutcome(fenced.value, error, now, Math.random, finalReason);
      if (decided.outcome === 'dead_letter') {
        this.indexes.moveToDeadLetters(fenced.value, decided.task);
        this.dependencies.settle(decided.task, now);
      } else {
        this.indexes.putActive(fenced.value, decided.task);
      }
      return ok(decided);
    });
  }

  reclaim(taskId: string, reason: ReclaimReason, now: number, expectedGeneration?: number, holder?: string): Promise<Result<TaskRecord>> {
    return this.write(() => {
      const task = this.store.tasks.get(taskId);
      const decided = reclaimOutcome(taskId, task, reason, now, { generation: expectedGeneration, agentId: holder });
      if (decided.ok) this.indexes.putActive(task!, decided.value);
      return decided;
    });
  }

  /** An operator approves or rejects a task that is awaiting_approval (storage/approval-gate.ts). */
  decideApproval(taskId: string, decision: ApprovalDecisionInput, now: number): Promise<Result<TaskRecord>> {
    return this.write(() => this.gate.decide(taskId, decision, now));
  }

  /** `cascade`: waiting dependents are cancelled too, down the graph, instead of settled by their policy. */
  cancel(taskId: string, now: number, cascade = false): Promise<Result<TaskRecord>> {
    return this.write(() => {
      const task = this.store.tasks.get(taskId);
      const decided = cancellation(taskId, task ?? this.store.deadLetters.get(taskId), now);
      // A dead letter is refused above, so a cancelled task was an active one.
      if (!decided.ok || !task) return decided;
      const cancelled = decided.value;
      this.indexes.putActive(task, cancelled);
      if (task.status === 'waiting') this.dependencies.stopWaiting(task.id);
      this.dependencies.settle(cancelled, now, cascade);
      return ok(cancelled);
    });
  }

  retryDeadLetter(taskId: string, now: number): Promise<Result<TaskRecord>> {
    return this.write(() => {
      const dead = this.store.deadLetters.get(taskId);
      let retried: Result<TaskRecord>;
      if (dead?.depends_on?.length) {
        // A task with dependencies goes back to waiting unless they are all done.
        const standing = this.dependencies.retryStanding(dead);
        if (!standing) return fail('AC_ERR_DEPENDENCY_FAILED', taskId, dead.failed_dependency ?? '');
        const revived = this.dependencies.reenter(dead, standing, now, { from: 'dead_letter' });
        this.indexes.moveFromDeadLetters(dead, revived);
        retried = ok(revived);
      } else {
        retried = this.deadLetters.retry(taskId, now);
      }
      if (retried.ok) this.dependencies.revive(retried.value, now);
      return retried;
    });
  }

  purgeDeadLetters(taskId?: string): Promise<Result<number>> {
    return this.write(() => this.deadLetters.purge(taskId));
  }

  promoteDue(now: number): Promise<Result<TaskRecord[]>> {
    return this.write(() => {
      const promoted: TaskRecord[] = [];
      for (const { value: id } of this.store.delayed.getRange({ end: [now, Infinity] })) {
        const task = this.store.tasks.get(id);
        const queued = promotion(task, now);
        if (!queued) continue;
        this.indexes.putActive(task, queued);
        promoted.push(queued);
      }
      return ok(promoted);
    });
  }

  removeExpired(status: RetainedStatus, cutoff: number, afterSeq: number, limits: { maxScanned: number; maxRemoved: number }): Promise<Result<ExpiredBatch>> {
    return this.write<ExpiredBatch>(() => {
      const table = status === 'dead_letter' ? this.store.deadLetters : this.store.tasks;
      const expired: TaskRecord[] = [];
      let lastSeq: number | null = null;
      let scanned = 0;
      // Collected first, removed after: the range is not walked while it changes.
      for (const { key, value: id } of this.store.byStatus.getRange({
        start: [status, afterSeq], end: [status, Infinity], exclusiveStart: true, limit: limits.maxScanned,
      })) {
        scanned += 1;
        lastSeq = key[1];
        const read = readTaskRecord(table, id);
        if (read.ok && read.task && read.task.updated_at < cutoff) expired.push(read.task);
        if (expired.length >= limits.maxRemoved) break;
      }
      for (const task of expired) {
        if (status === 'dead_letter') this.indexes.removeDeadLetter(task);
        else this.indexes.removeFinished(task);
        if (task.idempotency_key !== null && this.store.idempotency.get(task.idempotency_key) === task.id) {
          this.store.idempotency.remove(task.idempotency_key);
        }
      }
      const reachedEnd = scanned < limits.maxScanned && expired.length < limits.maxRemoved;
      return ok({ removed: expired.length, nextSeq: reachedEnd ? null : lastSeq });
    });
  }

  nextDelayedAt(): number | null {
    for (const [notBefore] of this.store.delayed.getKeys({ limit: 1 })) return notBefore;
    return null;
  }

  get(taskId: string): TaskRecord | undefined {
    return this.store.tasks.get(taskId) ?? this.store.deadLetters.get(taskId);
  }

  list(filter: TaskFilter): TaskPage {
    return listTasks(this.store, filter, filter.status ? [filter.status] : taskStatuses);
  }

  listDeadLetters(filter: Pick<TaskFilter, 'limit' | 'cursor'>): TaskPage {
    return listTasks(this.store, { ...filter, limit: filter.limit ?? listPageLimits.default }, ['dead_letter']);
  }

  assigned(): TaskRecord[] {
    const tasks: TaskRecord[] = [];
    for (const { value: id } of this.store.byStatus.getRange({ start: ['assigned'], end: ['assigned', Infinity] })) {
      const read = readTaskRecord(this.store.tasks, id);
      if (read.ok && read.task) tasks.push(read.task);
    }
    return tasks;
  }

  assignedTo(agentId: string): TaskRecord[] {
    const tasks: TaskRecord[] = [];
    for (const id of this.indexes.assignedTo(agentId)) {
      const read = readTaskRecord(this.store.tasks, id);
      if (read.ok && read.task) tasks.push(read.task);
    }
    return tasks;
  }

  stats(): QueueStats {
    const byStatus = Object.fromEntries(taskStatuses.map((s) => [s, this.indexes.count(s)])) as Record<TaskStatus, number>;
    const queuedByPriority = Object.fromEntries([0, 1, 2, 3].map((p) => [String(p), this.indexes.queuedInLane(p)]));
    return { byStatus, queuedByPriority, capabilitySets: this.indexes.capsets.size };
  }

  /** The store is the view: every acknowledged change is already in it. */
  caughtUp(): Promise<void> {
    return Promise.resolve();
  }

  /** One hub owns an LMDB store: no change comes from elsewhere. */
  onRemoteChange(): void {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.flushed();
    await this.store.close();
  }

  /** Runs `change` in the shared write transaction and resolves once it is on disk. */
  private async write<T>(change: () => Result<T>): Promise<Result<T>> {
    if (this.closed) return fail('AC_ERR_QUEUE_CLOSED');
    let settled: TaskRecord[] = [];
    let reopened: ReadyKey[] = [];
    const blocked = this.indexes.leases.blocked;
    let committed = true;
    const result = await durableWrite(this.store, () => {
      const changed = change();
      settled = this.dependencies.takeSettled();
      reopened = blocked.takePending();
      return changed;
    }, () => {
      committed = false;
      this.reloadAfterFailedCommit();
    });
    // Only now can every walk see what this write queued (a failed commit reloaded the memo).
    if (committed) blocked.reopen(reopened);
    // Dependents move only in commits of their own dependency's change: none moved if it failed.
    if (committed && settled.length > 0) this.settledListener(settled);
    if (committed && this.indexes.leases.hasEndedWaits()) this.scheduleLeaseSettle();
    return result;
  }

  /**
   * A failed commit (disk or map full) wrote nothing, but its callback already moved the
   * in-memory counters and seq: read them again from what is on disk. The seq never goes back,
   * so a seq handed out by a later batch is not handed out twice.
   */
  private reloadAfterFailedCommit(): void {
    this.indexes = TaskIndexes.load(this.store);
    this.deadLetters = deadLetterTransactions(this.store, this.indexes);
    this.dependencies = new DependencyIndex(this.store, this.indexes);
    this.seq = Math.max(this.seq, (this.store.meta.get(seqKey) as number | undefined) ?? 0);
  }

  /** Waiters of leases ended by this turn's writes are checked again once, after them all (or before the next claims). */
  private scheduleLeaseSettle(): void {
    if (this.leaseSettleScheduled) return;
    this.leaseSettleScheduled = true;
    setImmediate(() => {
      this.leaseSettleScheduled = false;
      this.settleLeaseWaits();
    });
  }

  /** Checks again the tasks whose awaited lease ended, and offers those nothing holds back any more. */
  private settleLeaseWaits(): void {
    if (this.closed) return;
    const freed = this.indexes.leases.settleEnded();
    if (freed.length === 0) return;
    // What the hub needs to offer them, from their lane: no task record is read again.
    const capsets = this.indexes.capsets;
    this.leaseFreedListener(freed.map(({ taskId, capset }) => ({ taskId, neededCapabilities: capsets.capabilitiesOf(capset) })));
  }

  private scheduleClaims(): void {
    if (this.claimsScheduled) return;
    this.claimsScheduled = true;
    queueMicrotask(() => void this.runClaims());
  }

  private async runClaims(): Promise<void> {
    this.claimsScheduled = false;
    // Tasks freed by leases that ended since the last batch can be picked by this one.
    this.settleLeaseWaits();
    const requests = this.claimRequests.splice(0);
    const leases = this.indexes.leases;
    const picker = new ReadyPicker(this.store.ready, this.indexes.capsets, this.claiming, leases);
    const picks: Array<{ request: ClaimRequest; taskId: string }> = [];
    try {
      for (const request of requests) {
        const taskId = picker.pick(request.capabilities);
        if (taskId === null) request.resolve(ok(null));
        else picks.push({ request, taskId });
      }
    } finally {
      picker.close();
    }
    if (picks.length === 0) return;
    const committed = await this.write(() => ok(picks.map(({ request, taskId }) => this.assign(taskId, request.agentId, request.now))));
    for (const { taskId } of picks) this.claiming.delete(taskId);
    picks.forEach(({ request, taskId }, i) => {
      const outcome = committed.ok ? committed.value[i] : committed;
      // The lease held for a pick that did not become an assignment (a failed commit reloaded them all).
      if (!outcome.ok && leases === this.indexes.leases) leases.dropPending(taskId);
      if (leases.hasEndedWaits()) this.scheduleLeaseSettle();
      // Lost a race (cancelled meanwhile): pick again, a bounded number of times.
      if (!outcome.ok && outcome.code === 'AC_ERR_INVALID_STATE' && request.attempts < claimAttempts) {
        request.attempts += 1;
        this.claimRequests.push(request);
        this.scheduleClaims();
      } else {
        request.resolve(outcome);
      }
    });
  }

  private assign(taskId: string, agentId: string, now: number): Result<TaskRecord> {
    const task = this.store.tasks.get(taskId);
    const assigned = assignment(taskId, task, agentId, now);
    if (assigned.ok) this.indexes.putActive(task, assigned.value);
    return assigned;
  }

  /** `task` is what the change is fenced against and applied to; `stored`, what the write replaces (the same unless an accept rides along). */
  private updateAssigned(
    report: Report, action: string, change: (task: TaskRecord) => TaskRecord,
    task = this.store.tasks.get(report.taskId), stored = task,
  ): Result<TaskRecord> {
    const fenced = checkReport(task, report, action);
    if (!fenced.ok) return fenced;
    const updated = change(fenced.value);
    this.indexes.putActive(stored, updated);
    return ok(updated);
  }
}

/** An accept applied in the transaction of the completion queued behind it; `settle` answers its caller after that commit. */
interface RidingAccept {
  report: Report;
  now: number;
  settle: (result: Result<TaskRecord>) => void;
}

const cancellable = 'queued, delayed, waiting, awaiting_approval or assigned';

const newTaskId = () => `task-${randomHex(8)}`;
