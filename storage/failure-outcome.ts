// Retry versus dead letter: the one place that decides what a failure report does
// to a task. Pure; the queue applies the outcome inside its write transaction, and
// the task actor hears the decision as `task.retried` or `task.dead_lettered`.
//
// `max_retries` counts retries after the first attempt (BullMQ's `attempts` minus one), so
// a task runs at most max_retries + 1 times and max_retries 0 dead-letters the first failure.
// A retry waits the backoff of retry-policy.ts in the delayed lane; without a base pause
// (tasks stored before backoff) it is queued again at once.
import type { FailOutcome } from './queue-engine.ts';
import { retryBackoffMs } from './retry-policy.ts';
import { transition, type TaskRecord } from './task-record.ts';

/**
 * `task` is the fenced, assigned task; retries are counted before this failure. A `finalReason`
 * (the hub ended the task itself, e.g. budget_exceeded) dead-letters it whatever retries are left.
 */
export function failureOutcome(task: TaskRecord, error: string, now: number, random: () => number = Math.random, finalReason?: string): FailOutcome {
  const failed = transition(task, { last_error: error }, 'failed', now, { agent_id: task.assigned_to, error });
  if (finalReason !== undefined || task.retry_count >= task.max_retries) {
    const details = { retry_count: task.retry_count, ...(finalReason !== undefined ? { reason: finalReason } : {}) };
    return { task: transition(failed, { status: 'dead_letter' }, 'dead_letter', now, details), outcome: 'dead_letter' };
  }
  const retryCount = task.retry_count + 1;
  const backoffMs = retryBackoffMs(retryCount, task.retry_backoff_ms ?? 0, task.retry_backoff_max_ms ?? 0, random);
  const waits = backoffMs > 0;
  const retryAt = now + backoffMs;
  const requeued = transition(failed, {
    status: waits ? 'delayed' : 'queued', not_before: waits ? retryAt : task.not_before,
    retry_count: retryCount, generation: task.generation + 1,
    assigned_to: null, assigned_at: null, accepted_at: null,
  }, 'retry', now, { retry_count: retryCount, ...(waits ? { backoff_ms: backoffMs, retry_at: retryAt } : {}) });
  return { task: requeued, outcome: 'retried' };
}
