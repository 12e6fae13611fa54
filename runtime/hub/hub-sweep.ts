// The safety-net pass, run by the `sweeps` service every sweep_interval_ms: closes
// silent sockets, checks assigned tasks, offers work to idle agents, and sweeps
// retention (finished tasks, dead letters, answered questions).
import type { Approvals } from '../approvals.ts';
import type { RateLimiter } from '../../web/rate-limits/rate-limiter.ts';
import type { RetentionSweeper } from '../retention-sweeper.ts';
import type { HubContext } from './hub-context.ts';

export interface HubSweepDeps {
  rateLimiter: RateLimiter;
  /** Null when finished tasks are kept forever. */
  retention: RetentionSweeper | null;
  /** Null without an approval store. */
  questions: Approvals | null;
  /** How long answered and closed questions are kept (retention's completed_ms); null: forever. */
  questionsKeptMs: number | null;
  /** When the hub started: after a restart an agent gets one acceptance timeout to come back for its task. */
  startedAt: () => number;
}

export class HubSweep {
  constructor(private readonly ctx: HubContext, private readonly deps: HubSweepDeps) {}

  /** One pass; sockets silent for longer than `staleAgentMs` are closed. */
  run(staleAgentMs: number): void {
    const { agents, dispatch, fleet, scheduler, log } = this.ctx;
    const now = this.ctx.now();
    for (const entry of agents.all()) {
      if (entry.link && entry.lastSeen !== null && now - entry.lastSeen > staleAgentMs) {
        log.notice('closing silent agent socket', { agent_id: entry.agentId, silent_ms: now - entry.lastSeen });
        entry.link.close(4002, 'no traffic within the liveness window');
      }
    }
    dispatch.checkAssigned(now - this.deps.startedAt() > this.ctx.timings.acceptanceTimeoutMs);
    fleet.sweep();
    scheduler.pass();
    this.deps.rateLimiter.sweep();
    this.retention().catch((error: unknown) => log.error('retention sweep threw', { code: 'AC_ERR_INTERNAL', error: String(error) }));
    const keptMs = this.deps.questionsKeptMs;
    if (keptMs !== null) {
      this.deps.questions?.sweep(keptMs).catch((error: unknown) => log.error('approval retention sweep threw', { code: 'AC_ERR_INTERNAL', error: String(error) }));
    }
  }

  /** Deletes finished tasks and dead letters past their retention, a few small batches at a time. */
  retention(): Promise<void> {
    return this.deps.retention?.sweep() ?? Promise.resolve();
  }
}
