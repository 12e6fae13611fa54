// This hub's view of the JetStream task bucket: every task record with the KV revision it
// was read at, and the indexes the hub reads synchronously (lanes, delayed tasks, status
// counts, holdings, seq order for listing).
//
// Fed from two sides: the bucket's change feed, and this hub's own acknowledged writes. A
// record is taken only when its revision is newer than the one held, so the two feeds may
// arrive in any order and the view never goes back.
import { taskStatuses, type TaskStatus } from '../domain/task-status.ts';
import { listPageLimits, type TaskFilter, type TaskPage } from '../queue-engine.ts';
import type { TaskRecord } from '../task-record.ts';
import { SortedRefs, type TaskRef } from './sorted-refs.ts';

export interface ViewEntry {
  task: TaskRecord;
  revision: number;
}

interface ReadyGroup {
  capabilities: readonly string[];
  /** Queued tasks needing exactly these capabilities, by [priority, seq]. */
  refs: SortedRefs;
}

const byLaneThenSeq = (a: TaskRef, b: TaskRef) => a.priority - b.priority || a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byTimeThenSeq = (a: TaskRef, b: TaskRef) => a.at - b.at || a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const bySeq = (a: TaskRef, b: TaskRef) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class TaskView {
  private readonly entries = new Map<string, ViewEntry>();
  /** Revisions of keys deleted by this hub, so a late feed entry does not bring them back. */
  private readonly removedAt = new Map<string, number>();
  private readonly ready = new Map<string, ReadyGroup>();
  private readonly delayed = new SortedRefs(byTimeThenSeq);
  private readonly ordered = new SortedRefs(bySeq);
  private readonly countByStatus = new Map<TaskStatus, number>();
  private readonly queuedByLane = [0, 0, 0, 0];
  private readonly assignedByAgent = new Map<string, Set<string>>();
  /** The highest bucket revision this view has taken in. */
  revision = 0;

  get(taskId: string): ViewEntry | undefined {
    return this.entries.get(taskId);
  }

  /** Takes in `task` at `revision` unless the view already holds a newer one; returns the record it replaced. */
  apply(task: TaskRecord, revision: number): { applied: boolean; before: TaskRecord | undefined } {
    this.revision = Math.max(this.revision, revision);
    const held = this.entries.get(task.id);
    if ((held && held.revision >= revision) || (this.removedAt.get(task.id) ?? 0) >= revision) return { applied: false, before: held?.task };
    if (held) this.unindex(held.task);
    this.entries.set(task.id, { task, revision });
    this.index(task);
    return { applied: true, before: held?.task };
  }

  /**
   * Drops a task deleted at `revision` (retention, purge). The feed delivers in revision order,
   * so once its own delete marker arrived (`final`) no older record of the key can follow.
   */
  remove(taskId: string, revision: number, final = false): TaskRecord | undefined {
    this.revision = Math.max(this.revision, revision);
    if (final) this.removedAt.delete(taskId);
    else this.removedAt.set(taskId, Math.max(revision, this.removedAt.get(taskId) ?? 0));
    const held = this.entries.get(taskId);
    if (!held || held.revision >= revision) return undefined;
    this.unindex(held.task);
    this.entries.delete(taskId);
    return held.task;
  }

  /** The best queued task `capabilities` satisfy, skipping `taken`; null when none fits. */
  pick(capabilities: readonly string[], taken: ReadonlySet<string>): string | null {
    const have = new Set(capabilities);
    let best: TaskRef | null = null;
    for (const group of this.ready.values()) {
      if (!group.capabilities.every((capability) => have.has(capability))) continue;
      const head = group.refs.first((ref) => !taken.has(ref.id));
      if (head && (!best || byLaneThenSeq(head, best) < 0)) best = head;
    }
    return best?.id ?? null;
  }

  /** Delayed tasks due by `now`, earliest first. */
  due(now: number): string[] {
    const ids: string[] = [];
    for (const ref of this.delayed.ascending()) {
      if (ref.at > now) break;
      ids.push(ref.id);
    }
    return ids;
  }

  nextDelayedAt(): number | null {
    return this.delayed.first(() => true)?.at ?? null;
  }

  /** Pages newest first, as the LMDB listing does: `cursor` is the last seq already returned. */
  list(filter: TaskFilter, statuses: readonly TaskStatus[]): TaskPage {
    const limit = Math.min(Math.max(filter.limit ?? listPageLimits.default, 1), listPageLimits.max);
    const below = filter.cursor ?? Infinity;
    const wanted = new Set<string>(statuses);
    const tasks: TaskRecord[] = [];
    let scanned = 0;
    let lastSeq: number | null = null;
    for (const ref of this.ordered.descendingBelow(below)) {
      if (tasks.length >= limit || scanned >= listPageLimits.scanned) return { tasks, nextCursor: lastSeq };
      const task = this.entries.get(ref.id)?.task;
      if (!task || !wanted.has(task.status)) continue;
      scanned += 1;
      lastSeq = task.seq;
      if (matches(task, filter)) tasks.push(task);
    }
    return { tasks, nextCursor: null };
  }

  /** Tasks of `status` after `afterSeq`, oldest first, at most `limit` looked at. */
  ofStatusAfter(status: TaskStatus, afterSeq: number, limit: number): TaskRecord[] {
    const found: TaskRecord[] = [];
    for (const ref of this.ordered.ascendingAbove(afterSeq)) {
      const task = this.entries.get(ref.id)?.task;
      if (task?.status !== status) continue;
      found.push(task);
      if (found.length >= limit) break;
    }
    return found;
  }

  withStatus(status: TaskStatus): TaskRecord[] {
    const found: TaskRecord[] = [];
    for (const { task } of this.entries.values()) if (task.status === status) found.push(task);
    return found;
  }

  assignedTo(agentId: string): TaskRecord[] {
    return [...(this.assignedByAgent.get(agentId) ?? [])].flatMap((id) => this.entries.get(id)?.task ?? []);
  }

  count(status: TaskStatus): number {
    return this.countByStatus.get(status) ?? 0;
  }

  queuedInLane(priority: number): number {
    return this.queuedByLane[priority] ?? 0;
  }

  get capabilitySets(): number {
    return this.ready.size;
  }

  get statuses(): readonly TaskStatus[] {
    return taskStatuses;
  }

  private index(task: TaskRecord): void {
    const status = task.status as TaskStatus;
    this.countByStatus.set(status, this.count(status) + 1);
    this.ordered.insert(refOf(task));
    if (status === 'queued') {
      this.groupOf(task.needed_capabilities).refs.insert(refOf(task));
      this.queuedByLane[task.priority] += 1;
    } else if (status === 'delayed') {
      this.delayed.insert(refOf(task));
    } else if (status === 'assigned' && task.assigned_to) {
      let held = this.assignedByAgent.get(task.assigned_to);
      if (!held) this.assignedByAgent.set(task.assigned_to, (held = new Set()));
      held.add(task.id);
    }
  }

  private unindex(task: TaskRecord): void {
    const status = task.status as TaskStatus;
    this.countByStatus.set(status, this.count(status) - 1);
    this.ordered.remove(refOf(task));
    if (status === 'queued') {
      this.groupOf(task.needed_capabilities).refs.remove(refOf(task));
      this.queuedByLane[task.priority] -= 1;
    } else if (status === 'delayed') {
      this.delayed.remove(refOf(task));
    } else if (status === 'assigned' && task.assigned_to) {
      const held = this.assignedByAgent.get(task.assigned_to);
      held?.delete(task.id);
      if (held?.size === 0) this.assignedByAgent.delete(task.assigned_to);
    }
  }

  private groupOf(capabilities: readonly string[]): ReadyGroup {
    const key = JSON.stringify(capabilities);
    let group = this.ready.get(key);
    if (!group) this.ready.set(key, (group = { capabilities, refs: new SortedRefs(byLaneThenSeq) }));
    return group;
  }
}

function refOf(task: TaskRecord): TaskRef {
  return { id: task.id, seq: task.seq, priority: task.priority, at: task.not_before ?? 0 };
}

function matches(task: TaskRecord, filter: TaskFilter): boolean {
  if (filter.priority !== undefined && task.priority !== filter.priority) return false;
  if (filter.assignedTo !== undefined && task.assigned_to !== filter.assignedTo) return false;
  if (filter.capability !== undefined && !task.needed_capabilities.includes(filter.capability)) return false;
  return true;
}
