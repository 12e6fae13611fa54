// Reclaim: the one place that decides whether an assigned task may be taken back
// from its agent, and what it looks like afterwards (queued, generation + 1, so
// the old assignee's late reports are stale). Pure; the queue applies it inside
// its write transaction, and the actors hear the decision as `task.reclaimed`.
import { fail, ok, type Result } from './domain/errors.ts';
import type { ReclaimReason } from './queue-engine.ts';
import { transition, type TaskRecord } from './task-record.ts';

export interface ReclaimFence {
  /** Refuse unless the task is still at this assignment (a newer one must not be taken back). */
  generation?: number;
  /** Refuse unless this agent holds the task (an agent may only give back its own task). */
  agentId?: string;
}

export function reclaimOutcome(
  taskId: string, task: TaskRecord | undefined, reason: ReclaimReason, now: number, fence: ReclaimFence = {},
): Result<TaskRecord> {
  if (!task) return fail('AC_ERR_TASK_NOT_FOUND', taskId);
  if (task.status !== 'assigned') return fail('AC_ERR_INVALID_STATE', taskId, task.status, 'reclaim', 'assigned');
  if (fence.generation !== undefined && task.generation !== fence.generation) {
    return fail('AC_ERR_STALE_GENERATION', taskId, task.generation, fence.generation);
  }
  if (fence.agentId !== undefined && task.assigned_to !== fence.agentId) return fail('AC_ERR_NOT_ASSIGNEE', taskId, fence.agentId);
  return ok(transition(task, {
    status: 'queued', generation: task.generation + 1, assigned_to: null, assigned_at: null, accepted_at: null,
  }, 'reclaimed', now, { reason, agent_id: task.assigned_to }));
}
