// Path leases: when they start and end, what is durable, and the scheduler's gate.
//
// A lease lives exactly as long as its task's assignment. A task's own lease (its `paths`)
// is not stored apart: it is the assigned task record itself, so it is as durable as the
// assignment and cannot outlive it or lapse while it lasts. Leases an agent takes over the
// socket are stored in `path_leases` ([task id, lease id] → lease) and are removed in the very
// transaction that ends the assignment (complete, fail, reclaim, cancel, dead letter), through
// `follow`, which TaskIndexes calls for every task it writes. After a kill -9, loading the
// assigned tasks and that table gives back exactly the leases held at the last commit.
//
// The gate: a claim's best task is admitted only when no lease of another task in its
// repository overlaps its paths; admitting it holds its lease at once (pending until the
// claim commits), so two claims of one batch cannot take overlapping tasks either.
// A refused task stays queued in its lane and remembers what it waits for.
import type { Database } from 'lmdb';
import { BlockedPrefixes } from './blocked-prefixes.ts';
import { fail, ok, type Result } from './domain/errors.ts';
import { normaliseRepo } from './domain/repo-identity.ts';
import type { LmdbStore, ReadyKey } from './lmdb-store.ts';
import { normaliseGlob, parseGlob, type ParsedGlob } from './path-globs.ts';
import { PathLeaseTable, type LeaseAcquireOutcome, type LeaseWait, type PathLease } from './path-lease-table.ts';

export type { LeaseAcquireOutcome, LeaseWait } from './path-lease-table.ts';
import { randomHex } from './random-hex.ts';
import { checkReport } from './report-fencing.ts';
import type { TaskRecord } from './task-record.ts';

type StoredLeaseKey = [taskId: string, leaseId: string];

export const taskLeaseId = (taskId: string): string => `task:${taskId}`;
/** Extra leases one assignment may hold at once. */
export const extraLeasesPerTask = 100;

/** The repository a task's paths are relative to: its `metadata.repo` (normalised), or '' for the hub's default. */
export function repoOf(task: Pick<TaskRecord, 'metadata'>): string {
  const repo = task.metadata?.repo;
  return typeof repo === 'string' ? normaliseRepo(repo) : '';
}

const lastKey = '\uffff';
const claimCacheLimit = 200_000;
/**
 * meta key: nonzero while some queued task may declare paths; 0 when none does (then the gate
 * reads nothing). Written only when that answer changes, not in every assignment's transaction.
 */
const queuedWithPathsKey = 'queued_with_paths';

const queuedWithPaths = (task: TaskRecord | undefined): number => (task?.status === 'queued' && task.paths?.length ? 1 : 0);
const queued = (task: TaskRecord | undefined): number => (task?.status === 'queued' ? 1 : 0);

export class PathLeases {
  readonly table = new PathLeaseTable();
  /** The blocked front of each ready range, for the claims' walks (storage/blocked-prefixes.ts). */
  readonly blocked = new BlockedPrefixes();
  private readonly extra: Database<PathLease, StoredLeaseKey>;
  private readonly waits = new Map<string, LeaseWait>();
  /** lease id → ids of the tasks waiting for it. */
  private readonly waitersOf = new Map<string, Set<string>>();
  /** Where each waiting task sits in the ready index: walks look there again when its lease ends. */
  private readonly readyKeyOf = new Map<string, ReadyKey>();
  /** Waiting tasks whose awaited lease ended: checked again by `settleEnded`. */
  private readonly endedWaits = new Set<string>();
  private clock: () => number = Date.now;
  /**
   * Queued tasks that may declare paths: exactly those that do (`exact`), or, after an open that
   * found some on disk, every queued task (an upper bound, followed until the queue empties once).
   * Only its zero or nonzero is durable, in meta, written by the transaction that changes it.
   */
  private mayHavePaths: number;
  private exact: boolean;
  /**
   * The repo and paths of queued tasks with paths: taken from the record when this hub writes
   * it queued (submit, retry, reclaim), or read once by the gate (a task queued before an open).
   * The gate and the checks of waiters whose lease ended then read no record.
   */
  private readonly claimsOf = new Map<string, Claim>();

  constructor(private readonly store: LmdbStore) {
    this.extra = store.live.database('path_leases', {});
    this.mayHavePaths = 0;
    this.exact = true;
  }

  /**
   * Holds the lease of every assigned task with paths, and the extra leases stored for them.
   * `queuedCount`: the queued tasks on disk, the bound the gate starts from when some may declare paths.
   */
  load(assigned: Iterable<TaskRecord>, queuedCount: number): void {
    // Which queued tasks declare paths is not read at open (it would read every queued task):
    // while some may, every queued task counts, until the queue is empty once.
    const some = ((this.store.meta.get(queuedWithPathsKey) as number | undefined) ?? 0) > 0;
    this.exact = !some || queuedCount === 0;
    this.mayHavePaths = this.exact ? 0 : queuedCount;
    const live = new Map<string, number>();
    for (const task of assigned) {
      live.set(task.id, task.generation);
      this.start(task);
    }
    for (const { value: lease } of this.extra.getRange()) {
      // Removed with its assignment in one commit, so a stored lease always has one; checked anyway.
      if (live.get(lease.task_id) === lease.generation) this.table.hold({ ...lease, repo: normaliseRepo(lease.repo) });
    }
  }

  /** Call for every write of a task (inside the transaction): starts and ends its leases with its assignment. */
  follow(before: TaskRecord | undefined, after: TaskRecord | undefined): void {
    const wasHeld = before?.status === 'assigned';
    const isHeld = after?.status === 'assigned';
    const sameAssignment = wasHeld && isHeld && before!.generation === after!.generation;
    if (wasHeld && !sameAssignment) this.end(before!.id);
    if (isHeld && !sameAssignment) this.start(after!);
    if (after && after.status !== 'queued') this.stopWaiting(after.id);
    // Re-prioritised while waiting: the task sits in another lane now, where walks must look again.
    const readyKey = after && this.readyKeyOf.get(after.id);
    if (readyKey && readyKey[1] !== after.priority) this.readyKeyOf.set(after.id, [readyKey[0], after.priority, after.seq]);
    this.followClaim(before, after);
    this.countQueued(before, after);
  }

  /**
   * Keeps the claim of every queued task with paths that this hub wrote (submitted, requeued),
   * so the gate never reads a record it has seen written. A task's repo and paths never change
   * after submit, so a claim made from a write not committed yet is as good as one from disk.
   */
  private followClaim(before: TaskRecord | undefined, after: TaskRecord | undefined): void {
    if (queuedWithPaths(after) === 1) {
      if (!this.claimsOf.has(after!.id)) this.remember(after!);
    } else if (before && this.claimsOf.size > 0) {
      this.claimsOf.delete(before.id);
    }
  }

  private remember(task: TaskRecord): Claim {
    if (this.claimsOf.size >= claimCacheLimit) this.claimsOf.clear();
    const claim = claimOfTask(task);
    this.claimsOf.set(task.id, claim);
    return claim;
  }

  /** Follows the tasks that may declare paths; writes meta only when their count leaves or reaches zero. */
  private countQueued(before: TaskRecord | undefined, after: TaskRecord | undefined): void {
    const delta = this.exact ? queuedWithPaths(after) - queuedWithPaths(before) : queued(after) - queued(before);
    if (delta === 0) return;
    const was = this.mayHavePaths;
    this.mayHavePaths += delta;
    if (this.mayHavePaths === 0) this.exact = true;
    if (was === 0 || this.mayHavePaths === 0) this.store.meta.put(queuedWithPathsKey, this.mayHavePaths);
  }

  /**
   * The gate for one claim's best task (outside the transaction): admits it and holds its lease
   * when nothing overlaps, or records what it waits for and refuses.
   */
  admit(taskId: string, readyKey: ReadyKey): boolean {
    // No queued task declares paths: this one cannot, and there is nothing to read.
    if (this.mayHavePaths === 0) return true;
    if (this.skips(taskId)) return false;
    const claim = this.claimOf(taskId);
    if (!claim) return true;
    const conflict = this.table.conflictWith(claim.repo, claim.globs, taskId);
    if (conflict) {
      this.wait(taskId, conflict, readyKey);
      return false;
    }
    this.stopWaiting(taskId);
    // Pending until the claim commits, when `follow` holds it again with the agent and generation.
    this.table.hold({
      lease_id: taskLeaseId(taskId), task_id: taskId, agent_id: null, generation: 0, repo: claim.repo, paths: claim.paths, acquired_at: this.clock(),
    }, claim.globs);
    return true;
  }

  /** A lease of any task that overlaps `paths` in the repository `metadata` names (a task not created yet). */
  conflictOf(metadata: TaskRecord['metadata'], paths: readonly string[]): PathLease | null {
    return this.table.conflictWith(repoOf({ metadata }), paths, null);
  }

  /** The repo and paths a queued task would lease, or null when it declares none. */
  private claimOf(taskId: string): Claim | null {
    const known = this.claimsOf.get(taskId);
    if (known) return known;
    const task = this.store.tasks.get(taskId);
    if (!task?.paths?.length || task.status !== 'queued') return null;
    return this.remember(task);
  }

  /** A task whose recorded lease is still held: refused without reading it. */
  skips(taskId: string): boolean {
    const wait = this.waits.get(taskId);
    return wait !== undefined && this.table.has(wait.lease.lease_id);
  }

  /** After a claim batch: drops the pending lease of a pick that did not commit. */
  dropPending(taskId: string): void {
    if (this.store.tasks.get(taskId)?.status === 'assigned') return;
    // What the lease held back is checked again by the next `settleEnded`.
    this.end(taskId);
  }

  /** Inside a transaction: an extra lease for the assignment `report` names, unless another task's lease overlaps. */
  acquire(
    report: { taskId: string; agentId: string; generation: number | undefined }, paths: readonly string[], repo: string | undefined, now: number,
  ): Result<LeaseAcquireOutcome> {
    const fenced = checkReport(this.store.tasks.get(report.taskId), report, 'lease_acquire');
    if (!fenced.ok) return fenced;
    const task = fenced.value;
    const held = this.table.ofTask(task.id).filter((lease) => lease.lease_id !== taskLeaseId(task.id)).length;
    if (held >= extraLeasesPerTask) return fail('AC_ERR_LEASE_LIMIT', task.id, extraLeasesPerTask);
    const leaseRepo = repo !== undefined ? normaliseRepo(repo) : repoOf(task);
    const normalised = paths.map(normaliseGlob);
    const conflict = this.table.conflictWith(leaseRepo, normalised, task.id);
    if (conflict) return ok({ denied: conflict });
    const lease: PathLease = {
      lease_id: `lease-${randomHex(8)}`, task_id: task.id, agent_id: report.agentId, generation: task.generation,
      repo: leaseRepo, paths: normalised, acquired_at: now,
    };
    this.extra.put([task.id, lease.lease_id], lease);
    this.table.hold(lease);
    return ok({ granted: lease });
  }

  /** Inside a transaction: releases an extra lease the agent holds. A task's own lease ends only with its assignment. */
  release(leaseId: string, agentId: string): Result<PathLease> {
    const lease = this.table.get(leaseId);
    if (!lease || lease.agent_id !== agentId) return fail('AC_ERR_LEASE_NOT_FOUND', leaseId, agentId);
    if (lease.lease_id === taskLeaseId(lease.task_id)) return fail('AC_ERR_LEASE_OF_TASK', leaseId);
    this.extra.remove([lease.task_id, leaseId]);
    this.table.release(leaseId);
    this.noteEnded([lease]);
    return ok(lease);
  }

  /** What a queued task waits for, while that lease is still held. */
  waitOf(taskId: string): LeaseWait | null {
    const wait = this.waits.get(taskId);
    return wait && this.table.has(wait.lease.lease_id) ? wait : null;
  }

  /** Tasks waiting for a lease right now. */
  waitingCount(): number {
    let count = 0;
    for (const wait of this.waits.values()) if (this.table.has(wait.lease.lease_id)) count += 1;
    return count;
  }

  private start(task: TaskRecord): void {
    if (task.paths?.length) this.table.hold(leaseOf(task, task.assigned_to, task.generation));
  }

  /** Ends every lease of a task: its own in memory, its extra ones on disk too (inside the transaction). */
  private end(taskId: string): void {
    const ended = this.table.releaseTask(taskId);
    if (ended.length === 0) return;
    if (ended.some((lease) => lease.lease_id !== taskLeaseId(taskId))) {
      for (const key of this.extra.getKeys({ start: [taskId], end: [taskId, lastKey] })) this.extra.remove(key);
    }
    this.noteEnded(ended);
  }

  /** The waiters of leases that just ended: checked again once the writes that ended them are done (`settleEnded`). */
  private noteEnded(ended: readonly PathLease[]): void {
    for (const lease of ended) {
      const waiters = this.waitersOf.get(lease.lease_id);
      if (!waiters) continue;
      this.waitersOf.delete(lease.lease_id);
      for (const taskId of waiters) this.endedWaits.add(taskId);
    }
  }

  /** Some waiting task's lease ended since the last `settleEnded`. */
  hasEndedWaits(): boolean {
    return this.endedWaits.size > 0;
  }

  /**
   * After the writes that ended leases (outside a transaction; the queue calls it once per
   * turn, and before each claim batch): each task whose awaited lease ended is checked again
   * against the leases still held, once however many of its leases ended meanwhile (its claim
   * is cached: nothing is read). One another lease holds back waits for that one, unseen by
   * the claims and the hub; only a task nothing holds back is freed: its place in the ready
   * index reopened at once, and returned for the hub to offer. A task a claim looked at
   * meanwhile (admitted, or waiting again) is left alone.
   */
  settleEnded(): FreedWaiter[] {
    if (this.endedWaits.size === 0) return noneFreed;
    const freed: FreedWaiter[] = [];
    for (const taskId of this.endedWaits) {
      const wait = this.waits.get(taskId);
      const readyKey = this.readyKeyOf.get(taskId);
      if (!wait || !readyKey || this.table.has(wait.lease.lease_id)) continue;
      const claim = this.claimsOf.get(taskId);
      const next = claim && this.table.conflictWith(claim.repo, claim.globs, taskId);
      if (next) {
        this.wait(taskId, next, readyKey, wait.since);
        continue;
      }
      this.waits.delete(taskId);
      this.readyKeyOf.delete(taskId);
      freed.push({ taskId, capset: readyKey[0] });
      this.blocked.mayBeAssignable(readyKey);
    }
    this.endedWaits.clear();
    // The leases ended in writes already done; the freed tasks' entries were in the index before.
    this.blocked.reopen(this.blocked.takePending());
    return freed;
  }

  private wait(taskId: string, lease: PathLease, readyKey: ReadyKey, since?: number): void {
    const previous = this.waits.get(taskId);
    if (previous?.lease.lease_id === lease.lease_id) return;
    this.stopWaiting(taskId);
    this.waits.set(taskId, { lease, since: since ?? previous?.since ?? this.clock() });
    this.readyKeyOf.set(taskId, readyKey);
    let waiters = this.waitersOf.get(lease.lease_id);
    if (!waiters) this.waitersOf.set(lease.lease_id, (waiters = new Set()));
    waiters.add(taskId);
  }

  private stopWaiting(taskId: string): void {
    const wait = this.waits.get(taskId);
    if (!wait) return;
    this.waits.delete(taskId);
    this.readyKeyOf.delete(taskId);
    const waiters = this.waitersOf.get(wait.lease.lease_id);
    waiters?.delete(taskId);
    if (waiters?.size === 0) this.waitersOf.delete(wait.lease.lease_id);
  }
}

/** A queued task whose awaited lease ended and that no other lease holds back: the capability set of its lane. */
export interface FreedWaiter {
  taskId: string;
  capset: number;
}

/** What a queued task would lease: its repo, its paths, and the paths parsed once. */
interface Claim {
  repo: string;
  paths: string[];
  globs: ParsedGlob[];
}

function claimOfTask(task: TaskRecord): Claim {
  const paths = task.paths ?? [];
  return { repo: repoOf(task), paths, globs: paths.map((path) => parseGlob(path)) };
}

function leaseOf(task: TaskRecord, agentId: string | null, generation: number): PathLease {
  return {
    lease_id: taskLeaseId(task.id), task_id: task.id, agent_id: agentId, generation, repo: repoOf(task),
    paths: task.paths ?? [], acquired_at: task.assigned_at ?? task.updated_at,
  };
}

const noneFreed: FreedWaiter[] = [];
