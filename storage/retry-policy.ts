// What a failed attempt leads to: another attempt after a backoff, or the dead letters.
//
// `max_retries` counts retries after the first attempt (BullMQ's `attempts` minus one), so
// a task runs at most max_retries + 1 times and max_retries 0 dead-letters the first failure.
// The pause before retry n (1-based) is `retry_backoff_ms * 2^(n-1)`, capped at
// `retry_backoff_max_ms`, with "equal jitter": half fixed, half random, so a burst of
// failures does not come back as one burst.
import type { TaskRecord } from './task-record.ts';

export type RetryDecision =
  | { kind: 'dead_letter' }
  | { kind: 'retry'; retryCount: number; backoffMs: number; notBefore: number };

export function decideAfterFailure(task: Pick<TaskRecord, 'retry_count' | 'max_retries' | 'retry_backoff_ms' | 'retry_backoff_max_ms'>, now: number, random: () => number = Math.random): RetryDecision {
  if (task.retry_count >= task.max_retries) return { kind: 'dead_letter' };
  const retryCount = task.retry_count + 1;
  const backoffMs = retryBackoffMs(retryCount, task.retry_backoff_ms ?? 0, task.retry_backoff_max_ms ?? 0, random);
  return { kind: 'retry', retryCount, backoffMs, notBefore: now + backoffMs };
}

/** The pause before retry `retryNumber` (1 = the first retry). */
export function retryBackoffMs(retryNumber: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  if (baseMs <= 0) return 0;
  const exponential = Math.min(capMs > 0 ? capMs : Infinity, baseMs * 2 ** Math.min(retryNumber - 1, 40));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
