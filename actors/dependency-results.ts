// What a task_assign tells an agent about the tasks it depended on: each one's id,
// status and result, so a review task reads the plan or the PR URL it follows.
// Results stay under the frame limits: one larger than `inlineResultBytes`, or past the
// budget for all of them, is passed by reference (GET /api/tasks/:id) instead.
import type { TaskRecord } from '../storage/task-record.ts';

// The sidecar passes the task JSON to the agent in one environment variable, and Linux caps one
// at 128 KiB (MAX_ARG_STRLEN) with description and metadata already in it: hence these bounds.
export const dependencyResultLimits = { inlineResultBytes: 16 * 1024, totalBytes: 32 * 1024 } as const;

export type DependencyResult =
  | { task_id: string; status: string; result: unknown }
  | { task_id: string; status: string; result: null; result_ref: string; result_bytes: number };

export function dependencyResults(task: TaskRecord, lookup: (taskId: string) => TaskRecord | undefined): DependencyResult[] {
  let budget = dependencyResultLimits.totalBytes;
  return (task.depends_on ?? []).map((id) => {
    const dependency = lookup(id);
    if (!dependency) return { task_id: id, status: 'purged', result: null };
    const result = dependency.result ?? null;
    const bytes = result === null ? 0 : Buffer.byteLength(JSON.stringify(result));
    if (bytes > dependencyResultLimits.inlineResultBytes || bytes > budget) {
      return { task_id: id, status: dependency.status, result: null, result_ref: `/api/tasks/${id}`, result_bytes: bytes };
    }
    budget -= bytes;
    return { task_id: id, status: dependency.status, result };
  });
}
