// What an agent is handed with a task: the fields of the task_assign frame, as the task
// dispatch builds them. The wire schema (web/protocol/task-assign.ts) is the contract and
// checks at compile time that it describes exactly this shape, so the two cannot drift;
// this copy exists so actors/ can name the frame without importing the transport layer.

/** A task this one depended on, with its result, or with a reference to it when it is large. */
export interface AssignedDependency {
  task_id: string;
  status: string;
  result: unknown;
  result_ref?: string;
  result_bytes?: number;
}

export interface TaskAssignment {
  type: 'task_assign';
  task_id: string;
  description: string;
  metadata: Record<string, unknown>;
  generation: number;
  /** Send time, epoch ms. */
  assigned_at: number;
  /** The lane, urgent 0 … low 3. */
  priority: number;
  needed_capabilities: string[];
  complete_by: number | null;
  paths?: string[];
  dependencies?: AssignedDependency[];
}
