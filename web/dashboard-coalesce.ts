// Shrinks one flush of dashboard events to what the page needs to be right: the
// newest event per task and the newest state per agent, in the order they last
// happened. A task assigned, accepted and completed within one 100 ms window reaches
// the page once, as completed; at thousands of tasks/s this keeps the frames small.
import type { HubEvent } from './ports/dashboard-port.ts';

export function coalesceEvents<E extends HubEvent>(batch: readonly E[]): E[] {
  const lastIndex = new Map<string, number>();
  batch.forEach((event, index) => {
    const key = keyOf(event);
    if (key !== null) lastIndex.set(key, index);
  });
  return batch.filter((event, index) => {
    const key = keyOf(event);
    return key === null || lastIndex.get(key) === index;
  });
}

function keyOf(event: HubEvent): string | null {
  if (event.type === 'task_event' && typeof event.task_id === 'string') return `task:${event.task_id}`;
  if (event.type === 'status_changed') {
    const agentId = (event.agent as { agent_id?: unknown } | undefined)?.agent_id;
    if (typeof agentId === 'string') return `agent:${agentId}`;
  }
  return null;
}
