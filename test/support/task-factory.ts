// Valid `NewTask` inputs for tests: defaults for every field, overridable one by one.
import type { NewTask } from '../../storage/task-record.ts';

export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return {
    description: 'write the release notes',
    priority: 2,
    metadata: {},
    neededCapabilities: [],
    maxRetries: 3,
    completeBy: null,
    notBefore: null,
    idempotencyKey: null,
    submittedBy: null,
    ...overrides,
  };
}
