// The no-progress breaker: a task out with an agent whose progress reports show no change
// (the same `progress` value and the same cumulative tokens_used) for `no_progress_after_ms`
// is flagged, once per stall: a task.no_progress event (metric, dashboard) and a flag on its
// agent's card. The task is not stopped; a report that changes something clears the flag.
//
// In memory: after a restart every task out starts a fresh window.
export interface ProgressMark {
  progress?: number;
  tokensUsed?: number | null;
}

interface Watched {
  agentId: string;
  fingerprint: string;
  changedAt: number;
  flaggedAt: number | null;
}

export class ProgressWatch {
  private readonly tasks = new Map<string, Watched>();

  constructor(private readonly afterMs: number) {}

  get enabled(): boolean {
    return this.afterMs > 0;
  }

  /** A task went out (assigned, or found assigned after a restart): its window starts now. */
  started(taskId: string, agentId: string, now: number): void {
    if (!this.enabled) return;
    this.tasks.set(taskId, { agentId, fingerprint: '', changedAt: now, flaggedAt: null });
  }

  /** A progress report; a changed value restarts the window and clears the flag. */
  reported(taskId: string, agentId: string, mark: ProgressMark, now: number): void {
    if (!this.enabled) return;
    const fingerprint = `${mark.progress ?? ''}|${mark.tokensUsed ?? ''}`;
    const watched = this.tasks.get(taskId);
    if (!watched || watched.agentId !== agentId || watched.fingerprint !== fingerprint) {
      this.tasks.set(taskId, { agentId, fingerprint, changedAt: now, flaggedAt: null });
    }
  }

  ended(taskId: string): void {
    this.tasks.delete(taskId);
  }

  /** Tasks whose window just ran out (each returned once per stall); `stillOut` drops tasks that ended unseen. */
  newlyStalled(now: number, stillOut: (taskId: string) => boolean): Array<{ taskId: string; agentId: string; sinceMs: number }> {
    const stalled: Array<{ taskId: string; agentId: string; sinceMs: number }> = [];
    for (const [taskId, watched] of this.tasks) {
      if (!stillOut(taskId)) {
        this.tasks.delete(taskId);
        continue;
      }
      if (watched.flaggedAt !== null || now - watched.changedAt < this.afterMs) continue;
      watched.flaggedAt = now;
      stalled.push({ taskId, agentId: watched.agentId, sinceMs: now - watched.changedAt });
    }
    return stalled;
  }

  /** When the task's stall began, if it is flagged now. */
  flaggedSince(taskId: string): number | null {
    const watched = this.tasks.get(taskId);
    return watched?.flaggedAt != null ? watched.changedAt : null;
  }
}
