// Where a task is in its life. A leaf with no imports: storage indexes by it, the API filters by it.
export const taskStatuses = ['queued', 'delayed', 'assigned', 'completed', 'dead_letter', 'cancelled', 'waiting', 'awaiting_approval'] as const;
export type TaskStatus = (typeof taskStatuses)[number];
