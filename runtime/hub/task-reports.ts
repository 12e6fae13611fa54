// What an agent reports about the task it holds: accept, progress, complete, fail,
// reject, recover after a restart, stop a cancelled task, take or release extra leases.
//
// Each report is fenced and committed by the queue first; only then the task actor and the
// agent actor hear of it, and only then the event goes out and the socket gets its answer.
import { stateOf } from '../../actors/agent-registry.ts';
import type { FencingFacts, Report } from '../../storage/queue-engine.ts';
import { toWireTask, type TaskRecord } from '../../storage/task-record.ts';
import type { PathLease } from '../../storage/path-lease-table.ts';
import type { LeaseAcquire } from '../../web/protocol/path-leases.ts';
import type { Task } from '../../storage/domain/task.ts';
import type { LeaseAcquireAnswer, RecoveryAnswer, TaskReport, TaskReportPort } from '../../web/ports/task-report-port.ts';
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import type { HubContext } from './hub-context.ts';

export class TaskReports implements TaskReportPort {
  constructor(private readonly ctx: HubContext) {}

  /**
   * Answered from the assignment's commit, with no sync of its own: task_assign went out only
   * once the assignment was durable, so the agent holds the task whatever happens to this accept.
   * Fenced now by the store's rule against the queue's view (on LMDB, its index of assigned tasks:
   * no record is read); `accepted_at` joins the next write batch (fenced again there). A kill -9
   * before that batch loses only the mark: after the restart the sidecar's task_recovering
   * accepts again, durably.
   */
  async taskAccepted(report: TaskReport): Promise<Result<void>> {
    const fenced = this.ctx.queue.fence(reportOf(report), 'task_accepted');
    if (!fenced.ok) return fenced;
    const now = this.ctx.now();
    void this.ctx.queue.accept(reportOf(report), now).then((recorded) => {
      if (!recorded.ok) this.ctx.log.debug('accept not recorded', { code: recorded.code, task_id: report.taskId, agent_id: report.agentId });
    });
    this.acceptedNow(fenced.value, report.agentId);
    return ok(undefined);
  }

  /** The durable accept: resolves once `accepted_at` is on disk (a recovery answers only then). */
  private async acceptDurably(report: TaskReport): Promise<Result<TaskRecord>> {
    const accepted = await this.ctx.queue.accept(reportOf(report), this.ctx.now());
    if (accepted.ok) this.acceptedNow(accepted.value, report.agentId);
    return accepted;
  }

  private acceptedNow(task: FencingFacts, agentId: string): void {
    this.ctx.dispatch.actorOf(task.id)?.send({ type: 'task.accepted' });
    this.ctx.agents.get(agentId)?.actor.send({ type: 'task.accepted', taskId: task.id });
    this.ctx.events.emit('task.accepted', this.ctx.now(), { task, agentId });
  }

  async taskProgress(report: TaskReport, mark: { progress?: number; tokensUsed?: number } = {}): Promise<Result<Task>> {
    const charge = this.ctx.fleet.charge(report.agentId);
    const progressed = await this.ctx.queue.progress(reportOf(report), this.ctx.now(), mark.tokensUsed ?? null, charge?.inTransaction);
    if (!progressed.ok) return progressed;
    charge?.committed();
    this.ctx.dispatch.actorOf(report.taskId)?.send({ type: 'task.progressed' });
    this.ctx.fleet.progressed(progressed.value, report.agentId, { progress: mark.progress, tokensUsed: progressed.value.tokens_used });
    return ok(toWireTask(progressed.value));
  }

  async taskCompleted(report: TaskReport & { generation: number }, result: unknown, tokensUsed: number | null): Promise<Result<Task>> {
    const charge = this.ctx.fleet.charge(report.agentId);
    const completed = await this.ctx.queue.complete({ ...report }, result, tokensUsed, this.ctx.now(), charge?.inTransaction);
    if (!completed.ok) return completed;
    charge?.committed();
    const task = completed.value;
    this.ctx.dispatch.actorOf(task.id)?.send({ type: 'task.completed' });
    this.ctx.agents.get(report.agentId)?.actor.send({ type: 'task.finished', taskId: task.id, outcome: 'completed', at: this.ctx.now() });
    this.ctx.events.emit('task.completed', this.ctx.now(), { task, agentId: report.agentId });
    return ok(toWireTask(task));
  }

  async taskFailed(report: TaskReport & { generation: number }, error: string): Promise<Result<{ task: Task; outcome: 'retried' | 'dead_letter' }>> {
    const failed = await this.ctx.queue.fail({ ...report }, error, this.ctx.now());
    if (!failed.ok) return failed;
    const { task, outcome } = failed.value;
    this.ctx.dispatch.actorOf(task.id)?.send({ type: outcome === 'retried' ? 'task.retried' : 'task.dead_lettered' });
    this.ctx.agents.get(report.agentId)?.actor.send({ type: 'task.finished', taskId: task.id, outcome: 'failed', at: this.ctx.now() });
    this.ctx.events.emit(outcome === 'retried' ? 'task.retried' : 'task.dead_lettered', this.ctx.now(), { task, agentId: report.agentId, error });
    // A retry with a backoff waits in the delayed lane; without one it is back in its lane at once.
    if (outcome === 'retried' && task.status === 'delayed') this.ctx.dispatch.armDelayTimer();
    else if (outcome === 'retried') this.ctx.scheduler.taskAvailable(task);
    return ok({ task: toWireTask(task), outcome });
  }

  async taskRejected(report: TaskReport, reason: string): Promise<Result<Task>> {
    // The rest must be in place before the reclaim offers the task again, or it could come straight back.
    const entry = this.ctx.agents.get(report.agentId);
    const restBefore = entry?.restUntil ?? 0;
    if (entry) this.ctx.agents.restUntil(entry, this.ctx.now() + this.ctx.timings.rejectRestMs);
    const reclaimed = await this.ctx.dispatch.reclaim(report.taskId, 'rejected', report.generation, report.agentId, true);
    if (!reclaimed.ok) {
      if (entry) this.ctx.agents.restUntil(entry, restBefore);
      return reclaimed;
    }
    this.ctx.log.notice('task rejected by agent', { task_id: report.taskId, agent_id: report.agentId, reason });
    return ok(toWireTask(reclaimed.value));
  }

  async taskRecovering(agentId: string, taskId: string): Promise<RecoveryAnswer> {
    const task = this.ctx.queue.get(taskId);
    // Continue only for the agent that holds the task now (reference quirk 3 answered any assignee).
    if (!task || task.status !== 'assigned' || task.assigned_to !== agentId) return { type: 'task_reassign', task_id: taskId };
    // A recovering sidecar does not accept again: the recovery is its accept. Answer only once that
    // accept is durable, and reassign if the task was taken back before it could commit.
    const accepted = await this.acceptDurably({ agentId, taskId, generation: task.generation });
    if (!accepted.ok) return { type: 'task_reassign', task_id: taskId };
    return { type: 'task_continue', task_id: taskId, generation: accepted.value.generation };
  }

  taskStopped(agentId: string, taskId: string): Result<void> {
    const entry = this.ctx.agents.get(agentId);
    if (!entry) return fail('AC_ERR_AGENT_NOT_FOUND', agentId);
    if (stateOf(entry) !== 'stopping' || entry.actor.getSnapshot().context.currentTask?.taskId !== taskId) {
      return fail('AC_ERR_INVALID_STATE', taskId, stateOf(entry), 'task_stopped', 'stopping');
    }
    entry.actor.send({ type: 'task.stopped', taskId });
    this.ctx.log.info('agent stopped a cancelled task', { task_id: taskId, agent_id: agentId });
    return ok(undefined);
  }

  async leaseAcquire(agentId: string, request: LeaseAcquire): Promise<Result<LeaseAcquireAnswer>> {
    const report = { taskId: request.task_id, agentId, generation: request.generation };
    const acquired = await this.ctx.queue.leaseAcquire(report, request.paths, request.repo, this.ctx.now());
    if (!acquired.ok) return acquired;
    if ('granted' in acquired.value) this.ctx.events.emit('lease.acquired', this.ctx.now(), { lease: acquired.value.granted });
    else this.ctx.events.emit('lease.denied', this.ctx.now(), { taskId: request.task_id, agentId, paths: request.paths, holder: acquired.value.denied });
    return acquired;
  }

  async leaseRelease(agentId: string, leaseId: string): Promise<Result<PathLease>> {
    const released = await this.ctx.queue.leaseRelease(leaseId, agentId);
    if (released.ok) this.ctx.events.emit('lease.released', this.ctx.now(), { lease: released.value });
    return released;
  }
}

function reportOf(report: TaskReport): Report {
  return { taskId: report.taskId, agentId: report.agentId, generation: report.generation };
}
