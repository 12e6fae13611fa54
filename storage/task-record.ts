// The stored task: the wire task plus its queue sequence number.
import { taskLimits } from './domain/task-limits.ts';
import type { Task, TaskHistoryEntry } from './domain/task.ts';
import { normaliseGlob } from './path-globs.ts';

/** `seq` orders tasks within a lane (FIFO) and never changes, so a requeued task keeps its place. */
export type TaskRecord = Task & { seq: number };

export interface NewTask {
  description: string;
  priority: number;
  metadata: Record<string, unknown>;
  neededCapabilities: string[];
  maxRetries: number;
  /** Base pause before the first retry (doubles per retry); 0 or absent retries at once. */
  retryBackoffMs?: number;
  /** Cap on that pause. */
  retryBackoffMaxMs?: number;
  completeBy: number | null;
  notBefore: number | null;
  idempotencyKey: string | null;
  submittedBy: string | null;
  /** Ids of tasks that must complete first (at most 100, each existing). */
  dependsOn?: string[];
  onDependencyFailure?: 'fail' | 'ignore';
  /** The task waits in `awaiting_approval` until an operator approves it. */
  requiresApproval?: boolean;
  /** Globs of the files the task will change; its assignment leases them (path-leases.ts). */
  paths?: string[];
  /** Most tokens the task may use (cumulative tokens_used); passing it dead-letters the task. */
  budgetTokens?: number | null;
}

/**
 * The way in, first gate first: `awaiting_approval` (the task needs an operator's approval),
 * then `waiting` (unfinished dependencies), then `delayed` (not_before ahead), then its lane.
 */
export function createTaskRecord(id: string, seq: number, input: NewTask, now: number, waiting = false): TaskRecord {
  const delayed = input.notBefore !== null && input.notBefore > now;
  const status = input.requiresApproval ? 'awaiting_approval' : waiting ? 'waiting' : delayed ? 'delayed' : 'queued';
  const dependencies = input.dependsOn?.length
    ? { depends_on: [...new Set(input.dependsOn)], on_dependency_failure: input.onDependencyFailure ?? 'fail', failed_dependency: null }
    : {};
  return {
    id,
    seq,
    description: input.description,
    priority: input.priority,
    metadata: input.metadata,
    needed_capabilities: [...new Set(input.neededCapabilities)].sort(),
    max_retries: input.maxRetries,
    retry_count: 0,
    retry_backoff_ms: input.retryBackoffMs ?? 0,
    retry_backoff_max_ms: input.retryBackoffMaxMs ?? 0,
    complete_by: input.completeBy,
    not_before: input.notBefore,
    status,
    assigned_to: null,
    assigned_at: null,
    accepted_at: null,
    generation: 0,
    last_error: null,
    result: null,
    tokens_used: null,
    submitted_by: input.submittedBy,
    idempotency_key: input.idempotencyKey,
    created_at: now,
    updated_at: now,
    history: [{ event: status, timestamp: now, details: {} }],
    ...dependencies,
    ...(input.requiresApproval
      ? { requires_approval: true, approval: { decision: 'pending', decided_at: null, decided_by: null, reason: null } }
      : {}),
    ...(input.paths?.length ? { paths: [...new Set(input.paths.map(normaliseGlob))] } : {}),
    ...(input.budgetTokens != null ? { budget_tokens: input.budgetTokens } : {}),
  };
}

/** Returns a copy with `changes` applied and one history entry prepended (newest first, capped). */
export function transition(
  task: TaskRecord,
  changes: Partial<TaskRecord>,
  event: string,
  now: number,
  details: Record<string, unknown> = {},
): TaskRecord {
  const entry: TaskHistoryEntry = { event, timestamp: now, details };
  return {
    ...task,
    ...changes,
    updated_at: now,
    history: [entry, ...task.history].slice(0, taskLimits.historyEntries),
  };
}

/** The task as the API shows it: the stored record without internal fields. */
export function toWireTask(record: TaskRecord): Task {
  const { seq: _seq, ...task } = record;
  return task;
}
