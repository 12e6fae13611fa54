// Pages of tasks, newest first, from the [status, seq] index.
// Several statuses are merged by seq; filters that the index cannot serve are applied
// while walking, up to a scan budget, after which the page ends early with a cursor.
import type { TaskStatus } from './domain/task-status.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { listPageLimits, type TaskFilter, type TaskPage } from './queue-engine.ts';
import type { TaskRecord } from './task-record.ts';
import { readTaskRecord, type UnreadableRecord } from './task-record-reader.ts';

export function listTasks(store: LmdbStore, filter: TaskFilter, statuses: readonly TaskStatus[]): TaskPage {
  const limit = Math.min(Math.max(filter.limit ?? listPageLimits.default, 1), listPageLimits.max);
  const below = filter.cursor ?? Infinity;
  const walkers = statuses.map((status) =>
    // The cursor is the last seq already returned: exclusive, or that task starts the next page again.
    store.byStatus.getRange({ start: [status, below], end: [status, 0], reverse: true, exclusiveStart: true })[Symbol.iterator]());
  const heads = walkers.map((walker) => walker.next());
  const tasks: TaskRecord[] = [];
  const unreadable: UnreadableRecord[] = [];
  let scanned = 0;
  let lastSeq: number | null = null;
  while (tasks.length < limit && scanned < listPageLimits.scanned) {
    let newest = -1;
    heads.forEach((head, i) => {
      if (!head.done && (newest < 0 || head.value.key[1] > (heads[newest].value as { key: [string, number] }).key[1])) newest = i;
    });
    if (newest < 0) return { tasks, nextCursor: null, ...(unreadable.length > 0 ? { unreadable } : {}) };
    const { key, value: id } = heads[newest].value as { key: [TaskStatus, number]; value: string };
    heads[newest] = walkers[newest].next();
    scanned += 1;
    lastSeq = key[1];
    const read = readTaskRecord(key[0] === 'dead_letter' ? store.deadLetters : store.tasks, id);
    if (!read.ok) unreadable.push({ id: read.id, error: read.error });
    else if (read.task && matches(read.task, filter)) tasks.push(read.task);
  }
  const more = heads.some((head) => !head.done);
  return { tasks, nextCursor: more ? lastSeq : null, ...(unreadable.length > 0 ? { unreadable } : {}) };
}

function matches(task: TaskRecord, filter: TaskFilter): boolean {
  if (filter.priority !== undefined && task.priority !== filter.priority) return false;
  if (filter.assignedTo !== undefined && task.assigned_to !== filter.assignedTo) return false;
  if (filter.capability !== undefined && !task.needed_capabilities.includes(filter.capability)) return false;
  return true;
}
