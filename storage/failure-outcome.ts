// Retry versus dead letter: the one place that decides what a failure report does
// to a task. Pure; the queue applies the outcome inside its write transaction, and
// the task actor hears the decision as `task.retried` or `task.dead_lettered`.
import type { FailOutcome } from './queue-engine.ts';
import { transition, type TaskRecord } from './task-record.ts';

/** `task` is the fenced, assigned task; retries are counted before this failure. */
export function failureOutcome(task: TaskRecord, error: string, now: number): FailOutcome {
  const failed = transition(task, { last_error: error }, 'failed', now, { agent_id: task.assigned_to, error });
  if (task.retry_count + 1 >= task.max_retries) {
    return { task: transition(failed, { status: 'dead_letter' }, 'dead_letter', now, { retry_count: task.retry_count }), outcome: 'dead_letter' };
  }
  const retryCount = task.retry_count + 1;
  const requeued = transition(failed, {
    status: 'queued', retry_count: retryCount, generation: task.generation + 1,
    assigned_to: null, assigned_at: null, accepted_at: null,
  }, 'retry', now, { retry_count: retryCount });
  return { task: requeued, outcome: 'retried' };
}
