// Turns a validated submit body into the queue's NewTask: lane names to
// integers, the reference's defaults, and our delay fields to one not_before.
import type { NewTask } from '../storage/task-record.ts';
import { priorityAliases, priorityNames } from '../storage/domain/priorities.ts';
import type { TaskSubmit } from '../web/protocol/task.ts';

const taskDefaults = { priority: 2, maxRetries: 3, retryBackoffMs: 5_000, retryBackoffMaxMs: 300_000 } as const;

function priorityOf(value: string | number | undefined): number {
  if (typeof value === 'number') return value;
  if (value === undefined) return taskDefaults.priority;
  const lane = priorityNames.indexOf(value as (typeof priorityNames)[number]);
  return lane >= 0 ? lane : (priorityAliases[value] ?? taskDefaults.priority);
}

export function newTaskFrom(body: TaskSubmit, submittedBy: string | null, now: number): NewTask {
  const notBefore = body.not_before ?? (body.delay_ms !== undefined ? now + body.delay_ms : null);
  return {
    description: body.description,
    priority: priorityOf(body.priority),
    metadata: body.metadata ?? {},
    neededCapabilities: body.needed_capabilities ?? [],
    maxRetries: body.max_retries ?? taskDefaults.maxRetries,
    retryBackoffMs: body.retry_backoff_ms ?? taskDefaults.retryBackoffMs,
    retryBackoffMaxMs: body.retry_backoff_max_ms ?? taskDefaults.retryBackoffMaxMs,
    completeBy: body.complete_by ?? null,
    notBefore,
    idempotencyKey: body.idempotency_key ?? null,
    submittedBy,
    ...(body.depends_on?.length ? { dependsOn: body.depends_on } : {}),
    ...(body.budget_tokens !== undefined ? { budgetTokens: body.budget_tokens } : {}),
    ...(body.on_dependency_failure ? { onDependencyFailure: body.on_dependency_failure as 'fail' | 'ignore' } : {}),
    ...(body.requires_approval ? { requiresApproval: true } : {}),
    ...(body.paths?.length ? { paths: body.paths } : {}),
  };
}
