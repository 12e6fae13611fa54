// queue.json: the sidecar's one active task and one task awaiting a recovery answer.
//
// Layout matches the original sidecar: {"active": Task|null, "recovering": Task|null}.
// Every change is written atomically before the sidecar tells the hub about it.
import { readFile } from 'node:fs/promises';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

/**
 * accepted → waking → waking_confirmation → working → reporting → reported.
 * `reporting` holds a report not yet sent; `reported` means the send was
 * attempted (see `recoverOnStart` for why that task is never re-sent).
 * `cancelled`: the hub cancelled it; its work is being stopped and nothing is reported.
 */
export type LocalTaskStatus = 'accepted' | 'waking' | 'waking_confirmation' | 'working' | 'reporting' | 'reported' | 'cancelled';

export interface LocalTask {
  task_id: string;
  description: string;
  metadata: Record<string, unknown>;
  status: LocalTaskStatus;
  assigned_at: number;
  generation: number;
  wake_attempts: number;
  /** From task_assign: the tasks this one depended on, with their results, for the agent. */
  dependencies?: unknown[];
  /** From task_assign: the path globs the assignment leases (agentcom-git commit keeps to them). */
  paths?: string[];
  /** Process group of the last wake attempt: a cancel stops it, with whatever the agent left running. */
  wake_pgid?: number;
  branch?: string;
  git_warning?: string;
  /** The task_complete or task_failed to send, without its generation (added at send time). */
  report?: Record<string, unknown>;
}

export interface QueueState {
  active: LocalTask | null;
  recovering: LocalTask | null;
}

const emptyQueue = (): QueueState => ({ active: null, recovering: null });

export class TaskQueueFile {
  // Writes are chained so two quick changes land in order.
  private lastWrite: Promise<unknown> = Promise.resolve();

  constructor(readonly filePath: string) {}

  async load(): Promise<Result<QueueState>> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(emptyQueue());
      return fail('AC_ERR_SIDECAR_QUEUE_FILE', this.filePath, (error as Error).message);
    }
    try {
      const parsed = JSON.parse(text) as Partial<QueueState>;
      return ok({ active: parsed.active ?? null, recovering: parsed.recovering ?? null });
    } catch (error) {
      return fail('AC_ERR_SIDECAR_QUEUE_FILE', this.filePath, `not valid JSON (${(error as Error).message})`);
    }
  }

  async save(state: QueueState): Promise<Result<void>> {
    const text = `${JSON.stringify(state, null, 2)}\n`;
    const write = this.lastWrite.then(() => writeFileAtomic(this.filePath, text));
    this.lastWrite = write.catch(() => undefined);
    try {
      await write;
      return ok(undefined);
    } catch (error) {
      return fail('AC_ERR_SIDECAR_QUEUE_FILE', this.filePath, (error as Error).message);
    }
  }
}

/**
 * What a fresh start makes of the file left by the last run.
 *
 * A leftover active task becomes `recovering`: the hub will be asked whether
 * it is still ours. A task already `reported` is dropped instead. Its report
 * was persisted as sent *before* the send, so a crash in between loses that
 * one report rather than sending it twice. Losing it is the safe side: the
 * crash closed the socket, the hub reclaimed the task with a new generation
 * (§3.7), and it will run again; a second report could instead settle a retry
 * that another agent is running (quirk 3).
 */
export function recoverOnStart(state: QueueState): { state: QueueState; dropped: LocalTask[] } {
  const dropped: LocalTask[] = [];
  let recovering = state.recovering;
  const active = state.active;
  if (active) {
    // A cancelled task is not ours any more, whatever happened to its stop.
    if (active.status === 'reported' || active.status === 'cancelled') {
      dropped.push(active);
    } else {
      // One recovery slot: the newer task wins, the older one was never answered.
      if (recovering) dropped.push(recovering);
      recovering = active;
    }
  }
  return { state: { active: null, recovering }, dropped };
}
