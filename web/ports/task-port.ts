// Tasks as submitters and operators see them: submit, list, inspect, cancel, dead letters, lanes, push.
import type { Failure, Result } from '../../storage/domain/errors.ts';
import type { TaskBulkItem } from '../protocol/task-bulk.ts';
import type { Task } from '../../storage/domain/task.ts';
import type { TaskStatus } from '../../storage/domain/task-status.ts';
import type { TaskSubmit } from '../protocol/task.ts';
import type { TaskLinks, TaskListPage, TaskStatsView } from '../protocol/task-replies.ts';

export type { TaskLinks, TaskListPage, TaskStatsView };

export interface TaskListQuery {
  status?: TaskStatus;
  priority?: number;
  assignedTo?: string;
  capability?: string;
  limit?: number;
  cursor?: number;
}

/** A bulk submit's outcome, one entry per request item, in request order. */
export interface BulkOutcome {
  /** false when a graph (items with refs) was refused whole: nothing was created. */
  accepted: boolean;
  outcomes: Array<Result<{ task: Task; created: boolean }>>;
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
