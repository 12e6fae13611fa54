// Dead letters: tasks that ran out of retries, kept whole with their history
// until an operator retries (fresh retry budget) or purges them.
// These return transaction bodies; LmdbTaskQueue runs them inside its write transaction.
import { fail, ok, type Result } from './domain/errors.ts';
import type { LmdbStore } from './lmdb-store.ts';
import type { TaskIndexes } from './task-indexes.ts';
import { retriedDeadLetter } from './dead-letter-retry.ts';
import type { TaskRecord } from './task-record.ts';

export function deadLetterTransactions(store: LmdbStore, indexes: TaskIndexes) {
  return {
    /** Reads: dead_letters[id]. Writes: dead_letters[id] removed, tasks[id] queued with retry_count 0, generation +1. */
    retry(taskId: string, now: number): Result<TaskRecord> {
      const dead = store.deadLetters.get(taskId);
      if (!dead) {
        const active = store.tasks.get(taskId);
        return active
          ? fail('AC_ERR_INVALID_STATE', taskId, active.status, 'retry', 'dead_letter')
          : fail('AC_ERR_TASK_NOT_FOUND', taskId);
      }
      const requeued = retriedDeadLetter(dead, now);
      indexes.moveFromDeadLetters(dead, requeued);
      return ok(requeued);
    },

    /** Reads and removes dead_letters[id], or every dead letter when no id is given. */
    purge(taskId?: string): Result<number> {
      if (taskId !== undefined) {
        const dead = store.deadLetters.get(taskId);
        if (!dead) return fail('AC_ERR_TASK_NOT_FOUND', taskId);
        indexes.removeDeadLetter(dead);
        return ok(1);
      }
      let purged = 0;
      for (const { value } of store.deadLetters.getRange()) {
        indexes.removeDeadLetter(value);
        purged += 1;
      }
      return ok(purged);
    },
  };
}
