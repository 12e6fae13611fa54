// Agent and task actors are spread over several dynamic supervisors per group, as
// Elixir's PartitionSupervisor spreads a DynamicSupervisor. XState copies a parent's
// children map on every spawn and stop, so one supervisor over every task actor
// makes each assignment cost in proportion to all the others in flight; a partition
// holds about 1/partitionCount of them.
const partitionCount = 32;

/** The system id of the supervisor partition that holds `childId` in `group`. */
export function partitionOf(group: string, childId: string): string {
  return idsOf(group)[hashOf(childId) % partitionCount]!;
}

export function partitionIds(group: string): string[] {
  return Array.from({ length: partitionCount }, (_, i) => `${group}/${i}`);
}

// The same strings each time: a system lookup with a string built per call hashed it anew.
const idsByGroup = new Map<string, readonly string[]>();
function idsOf(group: string): readonly string[] {
  let ids = idsByGroup.get(group);
  if (!ids) idsByGroup.set(group, (ids = partitionIds(group)));
  return ids;
}

// FNV-1a: cheap, stable across restarts, spreads similar ids (task-0001, task-0002…) well.
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
