// The task changes every engine applies alike, decided here once: assignment, acceptance,
// progress, completion, cancel and promotion of a delayed task. Pure; failures and
// reclaims have their own deciders (failure-outcome.ts, reclaim-outcome.ts).
import { fail, ok, type Result } from './domain/errors.ts';
import { transition, type TaskRecord } from './task-record.ts';
import { cumulativeTokens } from './tokens-used.ts';

const cancellable = ['queued', 'delayed', 'assigned', 'waiting', 'awaiting_approval'];

/** A queued task handed to `agentId`, one generation on. */
export function assignment(taskId: string, task: TaskRecord | undefined, agentId: string, now: number): Result<TaskRecord> {
  if (!task) return fail('AC_ERR_TASK_NOT_FOUND', taskId);
  if (task.status !== 'queued') return fail('AC_ERR_INVALID_STATE', taskId, task.status, 'assign', 'queued');
  const generation = task.generation + 1;
  return ok(transition(task, {
    status: 'assigned', assigned_to: agentId, assigned_at: now, accepted_at: null, generation,
  }, 'assigned', now, { agent_id: agentId, generation }));
}

/**
 * True when the record as it stands (`current`) shows that the assignment written as `assigned` is
 * over: taken back or handed on (a later generation), or ended at the same generation (cancelled).
 * A view that has not yet caught up with the assignment (an earlier generation) does not end it.
 */
export function assignmentEnded(assigned: TaskRecord, current: TaskRecord | undefined): boolean {
  if (!current) return false;
  return current.generation > assigned.generation || (current.generation === assigned.generation && current.status !== 'assigned');
}

/** A new task pushed straight to an agent (admin push): it never waited in a lane. */
export function directAssignment(queued: TaskRecord, agentId: string, now: number): TaskRecord {
  return transition(queued, { status: 'assigned', assigned_to: agentId, assigned_at: now, generation: 1 },
    'assigned', now, { agent_id: agentId, generation: 1, pushed: true });
}

export function acceptance(task: TaskRecord, now: number): TaskRecord {
  return transition(task, { accepted_at: now }, 'accepted', now, { agent_id: task.assigned_to });
}

/**
 * Progress refreshes updated_at and the cumulative token count only; a history entry per
 * report would push out the useful ones.
 */
export function progressed(task: TaskRecord, reportedTokens: number | null, now: number): TaskRecord {
  return { ...task, updated_at: now, tokens_used: cumulativeTokens(task.tokens_used, reportedTokens) };
}

/** `reported`: the completion's cumulative count (tokens-used.ts); the stored count never goes down. */
export function completion(task: TaskRecord, result: unknown, reported: number | null, now: number): TaskRecord {
  const tokens = cumulativeTokens(task.tokens_used, reported);
  return transition(task, { status: 'completed', result: result ?? null, tokens_used: tokens }, 'completed', now, {
    agent_id: task.assigned_to, tokens_used: tokens,
  });
}

/** Queued, delayed, waiting, awaiting_approval and assigned tasks can be cancelled; finished ones and dead letters cannot. */
export function cancellation(taskId: string, task: TaskRecord | undefined, now: number): Result<TaskRecord> {
  if (!task) return fail('AC_ERR_TASK_NOT_FOUND', taskId);
  if (!cancellable.includes(task.status)) return fail('AC_ERR_INVALID_STATE', taskId, task.status, 'cancel', 'queued, delayed, waiting, awaiting_approval or assigned');
  return ok(transition(task, { status: 'cancelled' }, 'cancelled', now, { agent_id: task.assigned_to }));
}

const reprioritisable = ['queued', 'delayed', 'waiting'];

/** A task that has not started, moved to another lane (0 urgent … 3 low); the same record when it is in that lane already. */
export function reprioritisation(taskId: string, task: TaskRecord | undefined, priority: number, now: number): Result<TaskRecord> {
  if (!task) return fail('AC_ERR_TASK_NOT_FOUND', taskId);
  if (!reprioritisable.includes(task.status)) return fail('AC_ERR_INVALID_STATE', taskId, task.status, 'reprioritise', 'queued, delayed or waiting');
  if (task.priority === priority) return ok(task);
  return ok(transition(task, { priority }, 'reprioritised', now, { from: task.priority, to: priority }));
}

/** A delayed task whose time has come, queued in its lane; null when it is not due or not delayed. */
export function promotion(task: TaskRecord | undefined, now: number): TaskRecord | null {
  if (task?.status !== 'delayed' || (task.not_before ?? 0) > now) return null;
  return transition(task, { status: 'queued' }, 'queued', now, { delayed_until: task.not_before });
}
