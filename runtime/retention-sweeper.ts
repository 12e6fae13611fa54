// Retention: completed and cancelled tasks go after `retention_completed`, dead letters
// after `retention_dead_letter`. Swept in small batches (one short transaction each,
// the event loop free between them), a bounded number per pass, so a backlog of a
// million old tasks is worked off over several passes and never stalls the hub.
import type { QueueEngine, RetainedStatus } from '../storage/queue-engine.ts';
import type { Logger } from './logger.ts';

export interface RetentionPolicy {
  /** Milliseconds after their last change; 0 keeps them forever. */
  completedMs: number;
  deadLetterMs: number;
}

export interface RetentionStats {
  removed: Record<RetainedStatus, number>;
  last_sweep_at: number | null;
}

/** One batch: at most this many tasks looked at, and removed. */
export const retentionBatch = { maxScanned: 1000, maxRemoved: 200 } as const;
/** Batches per status per pass; the cursor carries on from there next pass. */
const batchesPerPass = 20;

export class RetentionSweeper {
  private readonly cursors: Record<RetainedStatus, number> = { completed: 0, cancelled: 0, dead_letter: 0 };
  private readonly removed: Record<RetainedStatus, number> = { completed: 0, cancelled: 0, dead_letter: 0 };
  private lastSweepAt: number | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly queue: QueueEngine,
    private readonly policy: RetentionPolicy,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** One pass; a pass still running is joined, not doubled. */
  sweep(): Promise<void> {
    return (this.running ??= this.pass().finally(() => { this.running = null; }));
  }

  stats(): RetentionStats {
    return { removed: { ...this.removed }, last_sweep_at: this.lastSweepAt };
  }

  private async pass(): Promise<void> {
    const plan: Array<[RetainedStatus, number]> = [
      ['completed', this.policy.completedMs], ['cancelled', this.policy.completedMs], ['dead_letter', this.policy.deadLetterMs],
    ];
    const before = { ...this.removed };
    for (const [status, keepMs] of plan) {
      if (keepMs <= 0) continue;
      for (let batch = 0; batch < batchesPerPass; batch += 1) {
        const result = await this.queue.removeExpired(status, this.now() - keepMs, this.cursors[status], retentionBatch);
        if (!result.ok) {
          // Disk full or shutting down: try again next pass from the same place.
          if (result.code !== 'AC_ERR_QUEUE_CLOSED') this.log.warning('retention sweep failed', { code: result.code, status, detail: result.detail });
          return;
        }
        this.removed[status] += result.value.removed;
        this.cursors[status] = result.value.nextSeq ?? 0;
        if (result.value.nextSeq === null) break;
        // Let requests and frames in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    this.lastSweepAt = this.now();
    const counts = Object.fromEntries(Object.entries(this.removed).map(([status, n]) => [status, n - before[status as RetainedStatus]]));
    if (Object.values(counts).some((n) => n > 0)) this.log.info('retention sweep', { removed: counts });
  }
}
