// The task every queue benchmark submits: a realistic small task, the same size each time.
import type { NewTask } from '../../storage/task-record.ts';

export const fixtureCapabilities = ['typescript'];
export const agentCapabilities = ['typescript', 'git', 'node'];

const description = 'Fix the failing unit test in storage/task-queue.ts and open a pull request. '.repeat(3);

export function fixtureTask(index: number): NewTask {
  return {
    description,
    priority: 2,
    metadata: { repo: 'agentcom/main', bench_index: index },
    neededCapabilities: fixtureCapabilities,
    maxRetries: 3,
    completeBy: null,
    notBefore: null,
    idempotencyKey: null,
    submittedBy: 'bench',
  };
}

/** Bytes of the task's JSON body as a client would send it (description + metadata), for the printed setup. */
export const fixturePayloadBytes = Buffer.byteLength(JSON.stringify({
  description, priority: 2, metadata: { repo: 'agentcom/main', bench_index: 0 }, needed_capabilities: fixtureCapabilities, max_retries: 3,
}));
