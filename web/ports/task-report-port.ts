// What an agent reports about the task it holds: accept, progress, outcome, recovery, stop, extra leases.
import type { Result } from '../../storage/domain/errors.ts';
import type { Task } from '../../storage/domain/task.ts';
import type { LeaseAcquire, PathLeaseView } from '../protocol/path-leases.ts';

export interface TaskReport {
  agentId: string;
  taskId: string;
  /** Missing on reference accept/progress frames. */
  generation?: number;
}

export type RecoveryAnswer = { type: 'task_continue'; task_id: string; generation: number } | { type: 'task_reassign'; task_id: string };

/** The answer to lease_acquire: the new lease, or the lease of another task that overlaps it. */
export type LeaseAcquireAnswer = { granted: PathLeaseView } | { denied: PathLeaseView };

export interface TaskReportPort {
  /** Fenced and answered at once; nothing of the task is returned (the socket acks by id). */
  taskAccepted(report: TaskReport): Promise<Result<void>>;
  /** `mark`: the report's `progress` value and cumulative `tokens_used`, when it has them. */
  taskProgress(report: TaskReport, mark?: { progress?: number; tokensUsed?: number }): Promise<Result<Task>>;
  taskCompleted(report: TaskReport & { generation: number }, result: unknown, tokensUsed: number | null): Promise<Result<Task>>;
  taskFailed(report: TaskReport & { generation: number }, error: string): Promise<Result<{ task: Task; outcome: 'retried' | 'dead_letter' }>>;
  /** The agent declined an assignment (e.g. busy): reclaim at once (reference quirk 1). */
  taskRejected(report: TaskReport, reason: string): Promise<Result<Task>>;
  /** Resolves once the recovery, which counts as the accept, is durable. */
  taskRecovering(agentId: string, taskId: string): Promise<RecoveryAnswer>;
  /** The sidecar stopped the work of a task it was told was cancelled (`task_stopped`); the agent is free. */
  taskStopped(agentId: string, taskId: string): Result<void>;
  /** An extra path lease for the assignment the agent holds. */
  leaseAcquire(agentId: string, request: LeaseAcquire): Promise<Result<LeaseAcquireAnswer>>;
  /** Releases an extra lease the agent holds. */
  leaseRelease(agentId: string, leaseId: string): Promise<Result<PathLeaseView>>;
}
