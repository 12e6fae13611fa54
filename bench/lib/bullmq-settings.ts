// BullMQ as its "Going to production" and "Auto-removal of jobs" guides set it up:
// AOF on (everysec), maxmemory-policy noeviction (see redis-server.ts), and finished
// jobs trimmed to the last 1000 completed / 5000 failed. attempts: 3 matches the
// AgentCom fixture's maxRetries, and costs nothing while no job fails.
import { fixtureTask } from './task-fixture.ts';

export const bullmqJobOptions = {
  attempts: 3,
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
} as const;

export const bullmqQueueName = 'bench';

/** The same body an AgentCom task carries, plus the add time for add→complete latency. */
export function bullmqJobData(index: number, addedAtMs: number, measured = true) {
  const task = fixtureTask(index);
  return { description: task.description, metadata: task.metadata, needed_capabilities: task.neededCapabilities, addedAtMs, measured };
}

/** Milliseconds on a clock both processes share to well under a millisecond (wall clock at process start + monotonic offset). */
export const sharedClockMs = () => performance.timeOrigin + performance.now();
