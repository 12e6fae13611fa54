// Tasks as submitters and operators see them: submit, list, inspect, cancel, dead letters, lanes, push.
import type { Failure, Result } from '../../storage/domain/errors.ts';
import type { TaskBulkItem } from '../protocol/task-bulk.ts';
import type { Task } from '../../storage/domain/task.ts';
import type { TaskStatus } from '../../storage/domain/task-status.ts';
import type { TaskSubmit } from '../protocol/task.ts';
import type { PathLeaseView } from '../protocol/path-leases.ts';

export interface TaskListQuery {
  status?: TaskStatus;
  priority?: number;
  assignedTo?: string;
  capability?: string;
  limit?: number;
  cursor?: number;
}

export interface TaskListPage {
  tasks: Task[];
  count: number;
  next_cursor: number | null;
  /** Damaged records in the page's range that were skipped (logged once each); absent when none. */
  skipped_unreadable?: number;
}

/** A bulk submit's outcome, one entry per request item, in request order. */
export interface BulkOutcome {
  /** false when a graph (items with refs) was refused whole: nothing was created. */
  accepted: boolean;
  outcomes: Array<Result<{ task: Task; created: boolean }>>;
}

/** A task's place in a workflow graph. */
export interface TaskLinks {
  dependencies: Array<{ task_id: string; status: string }>;
  dependents: Array<{ task_id: string; status: string }>;
  /** Dependencies a waiting task still needs; null when it is not waiting. */
  waiting_for: number | null;
  /** Path leases the task holds now (while assigned). */
  leases: PathLeaseView[];
  /** A queued task the scheduler passed over: the lease of another task that overlaps its paths. */
  waiting_for_lease: (PathLeaseView & { since: number }) | null;
}

export interface TaskStatsView {
  by_status: Record<string, number>;
  by_priority: Record<string, number>;
  dead_letter: number;
  queued_index_size: number;
  /** Distinct damaged task records listings have skipped since start; absent when none. */
  unreadable_records?: number;
  /** What retention deleted since start, per status, and when it last swept; absent when retention is off. */
  retention?: { removed: Record<'completed' | 'cancelled' | 'dead_letter', number>; last_sweep_at: number | null };
}

export interface TaskPort {
  submitTask(body: TaskSubmit, submittedBy: string | null): Promise<Result<{ task: Task; created: boolean }>>;
  /** Bulk submit: items already validated one by one (a refused item carries its failure). */
  submitBulk(items: ReadonlyArray<{ ok: true; value: TaskBulkItem } | Failure>, submittedBy: string | null): Promise<Result<BulkOutcome>>;
  taskLinks(taskId: string): TaskLinks;
  /** Waiting tasks that still need `taskId`. */
  listWaitingOn(taskId: string): TaskListPage;
  getTask(taskId: string): Task | undefined;
  listTasks(query: TaskListQuery): TaskListPage;
  taskStats(): TaskStatsView;
  /** `cascade`: waiting dependents are cancelled too. */
  cancelTask(taskId: string, cascade?: boolean): Promise<Result<Task>>;
  listDeadLetters(query: Pick<TaskListQuery, 'limit' | 'cursor'>): TaskListPage;
  retryDeadLetter(taskId: string): Promise<Result<Task>>;
  purgeDeadLetters(taskId?: string): Promise<Result<number>>;
  /** Moves a queued, delayed or waiting task to another lane (0 urgent … 3 low); `from` is the lane it left. */
  reprioritiseTask(taskId: string, priority: number): Promise<Result<{ task: Task; from: number }>>;
  /** Admin push: a task straight to a connected agent, bypassing the queue. */
  pushTask(agentId: string, description: string, metadata: Record<string, unknown>, paths?: readonly string[]): Promise<Result<Task>>;
}
