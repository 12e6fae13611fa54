// What an operator's retry makes of a dead letter: queued again with a fresh retry budget,
// one generation on (so reports about its last run are stale). Pure; each engine applies it.
import { transition, type TaskRecord } from './task-record.ts';

export function retriedDeadLetter(dead: TaskRecord, now: number): TaskRecord {
  return transition(dead, {
    status: 'queued', retry_count: 0, last_error: null, generation: dead.generation + 1,
    assigned_to: null, assigned_at: null, accepted_at: null,
  }, 'retry', now, { from: 'dead_letter' });
}
