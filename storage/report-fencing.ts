// Generation fencing: a report about a task counts only if it comes from the
// agent that holds the task now, about the assignment it holds now.
import { fail, ok, type Result } from './domain/errors.ts';
import type { FencingFacts, Report } from './queue-engine.ts';

export type { FencingFacts };

const generationOptional = new Set(['task_accepted', 'task_progress', 'lease_acquire']);


export function checkReport<T extends FencingFacts>(task: T | undefined, report: Report, action: string): Result<T> {
  if (!task) return fail('AC_ERR_TASK_NOT_FOUND', report.taskId);
  if (task.status !== 'assigned') return fail('AC_ERR_INVALID_STATE', task.id, task.status, action, 'assigned');
  // Reference accept and progress carry no generation, so they are fenced by assignee alone
  // when it is missing; complete and fail without one count as generation 0.
  if (report.generation !== undefined || !generationOptional.has(action)) {
    const generation = report.generation ?? 0;
    if (generation !== task.generation) return fail('AC_ERR_STALE_GENERATION', task.id, task.generation, generation);
  }
  if (report.agentId !== null && task.assigned_to !== report.agentId) {
    return fail('AC_ERR_NOT_ASSIGNEE', task.id, report.agentId);
  }
  return ok(task);
}
