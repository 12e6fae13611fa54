// Writes a task together with every index that mentions it, and keeps the
// in-memory counters that `stats()` reads. Call only inside a write transaction.
import { taskStatuses, type TaskStatus } from './domain/task-status.ts';
import { CapabilitySets } from './capability-sets.ts';
import type { LmdbStore, ReadyKey } from './lmdb-store.ts';
import { PathLeases } from './path-leases.ts';
import type { FencingFacts } from './report-fencing.ts';
import type { TaskRecord } from './task-record.ts';
import { readTaskRecord } from './task-record-reader.ts';

export class TaskIndexes {
  readonly capsets: CapabilitySets;
  /** Path leases start and end with the assignments written here. */
  readonly leases: PathLeases;
  private readonly countByStatus = new Map<TaskStatus, number>();
  private readonly queuedByLane = [0, 0, 0, 0];
  /** agent id → ids of the tasks assigned to it: what an agent holds, without a scan. */
  private readonly assignedByAgent = new Map<string, Set<string>>();
  /** task id → the fencing facts of each assigned task: a report is fenced without decoding its record. */
  private readonly assignedFacts = new Map<string, FencingFacts>();

  private constructor(private readonly store: LmdbStore) {
    this.capsets = CapabilitySets.load(store.capsets);
    this.leases = new PathLeases(store);
  }

  /** Loads capsets and counts tasks by status and queued tasks by lane (keys only, no values decoded). */
  static load(store: LmdbStore): TaskIndexes {
    const indexes = new TaskIndexes(store);
    for (const status of taskStatuses) {
      indexes.countByStatus.set(status, store.byStatus.getCount({ start: [status], end: [status, Infinity] }));
    }
    for (const [, priority] of store.ready.getKeys()) indexes.queuedByLane[priority] += 1;
    const assigned: TaskRecord[] = [];
    for (const { value: id } of store.byStatus.getRange({ start: ['assigned'], end: ['assigned', Infinity] })) {
      const read = readTaskRecord(store.tasks, id);
      if (read.ok && read.task) assigned.push(read.task);
      if (read.ok && read.task?.assigned_to) indexes.holdAssigned(read.task, read.task.assigned_to);
    }
    indexes.leases.load(assigned, indexes.queuedByLane.reduce((sum, count) => sum + count, 0));
    return indexes;
  }

  capsetOf(task: TaskRecord): number {
    return this.capsets.idOf(task.needed_capabilities, (id, caps) => void this.store.capsets.put(id, caps));
  }

  /** Stores `after` in the active table, replacing `before` (if any) in every index. */
  putActive(before: TaskRecord | undefined, after: TaskRecord): void {
    if (before) this.unindex(before);
    this.index(after);
    this.store.tasks.put(after.id, after);
    this.leases.follow(before, after);
  }

  /** Moves a task from the active table to the dead letters. */
  moveToDeadLetters(before: TaskRecord, after: TaskRecord): void {
    this.unindex(before);
    this.store.tasks.remove(before.id);
    this.index(after);
    this.store.deadLetters.put(after.id, after);
    this.leases.follow(before, after);
  }

  /** Moves a dead letter back to the active table. */
  moveFromDeadLetters(before: TaskRecord, after: TaskRecord): void {
    this.unindex(before);
    this.store.deadLetters.remove(before.id);
    this.index(after);
    this.store.tasks.put(after.id, after);
    this.leases.follow(before, after);
  }

  /** Deletes a completed or cancelled task and its index entries (retention). */
  removeFinished(task: TaskRecord): void {
    this.unindex(task);
    this.store.tasks.remove(task.id);
    this.leases.follow(task, undefined);
  }

  removeDeadLetter(task: TaskRecord): void {
    this.unindex(task);
    this.store.deadLetters.remove(task.id);
  }

  count(status: TaskStatus): number {
    return this.countByStatus.get(status) ?? 0;
  }

  queuedInLane(priority: number): number {
    return this.queuedByLane[priority];
  }

  assignedTo(agentId: string): ReadonlySet<string> {
    return this.assignedByAgent.get(agentId) ?? noTasks;
  }

  /**
   * An assigned task's fencing facts as this store's writes left them (a batch's own writes
   * included, before its commit; a failed commit reloads them all from disk).
   */
  fencingOf(taskId: string): FencingFacts | undefined {
    return this.assignedFacts.get(taskId);
  }

  private holdAssigned(task: TaskRecord, agentId: string): void {
    this.holdings(agentId).add(task.id);
    this.assignedFacts.set(task.id, { id: task.id, status: 'assigned', generation: task.generation, assigned_to: agentId, priority: task.priority });
  }

  private holdings(agentId: string): Set<string> {
    let held = this.assignedByAgent.get(agentId);
    if (!held) this.assignedByAgent.set(agentId, (held = new Set()));
    return held;
  }

  private index(task: TaskRecord): void {
    const status = task.status as TaskStatus;
    this.store.byStatus.put([status, task.seq], task.id);
    this.countByStatus.set(status, this.count(status) + 1);
    if (status === 'queued') {
      const readyKey: ReadyKey = [this.capsetOf(task), task.priority, task.seq];
      this.store.ready.put(readyKey, task.id);
      this.leases.blocked.mayBeAssignable(readyKey);
      this.queuedByLane[task.priority] += 1;
    } else if (status === 'delayed') {
      this.store.delayed.put([task.not_before ?? 0, task.seq], task.id);
    } else if (status === 'assigned' && task.assigned_to) {
      this.holdAssigned(task, task.assigned_to);
    }
  }

  private unindex(task: TaskRecord): void {
    const status = task.status as TaskStatus;
    this.store.byStatus.remove([status, task.seq]);
    this.countByStatus.set(status, this.count(status) - 1);
    if (status === 'queued') {
      this.store.ready.remove([this.capsetOf(task), task.priority, task.seq]);
      this.queuedByLane[task.priority] -= 1;
    } else if (status === 'delayed') {
      this.store.delayed.remove([task.not_before ?? 0, task.seq]);
    } else if (status === 'assigned' && task.assigned_to) {
      const held = this.assignedByAgent.get(task.assigned_to);
      held?.delete(task.id);
      if (held?.size === 0) this.assignedByAgent.delete(task.assigned_to);
      this.assignedFacts.delete(task.id);
    }
  }
}

const noTasks: ReadonlySet<string> = new Set();
