// Approvals: an operator's decision on a task awaiting approval, and agents' questions mid-task.
import { toWireTask } from '../../storage/task-record.ts';
import type { ApprovalRequest } from '../../web/protocol/approvals.ts';
import type { Task } from '../../storage/domain/task.ts';
import type { ApprovalList, ApprovalListStatus, ApprovalsPort, ApprovalView } from '../../web/ports/approvals-port.ts';
import type { Approvals } from '../approvals.ts';
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import type { HubContext } from './hub-context.ts';
import type { TaskService } from './task-service.ts';

export class ApprovalService implements ApprovalsPort {
  /** `questions`: agents' questions and their answers; null without an approval store. */
  constructor(private readonly ctx: HubContext, private readonly questions: Approvals | null, private readonly tasks: TaskService) {}

  /** An operator approves a task awaiting approval: it goes on to its dependencies, delay or lane, durably. */
  async approveTask(taskId: string, by: string | null, note: string | null): Promise<Result<Task>> {
    const decided = await this.ctx.queue.decideApproval(taskId, { decision: 'approved', by, note }, this.ctx.now());
    if (!decided.ok) return decided;
    const task = decided.value;
    const now = this.ctx.now();
    this.ctx.events.emit('task.approved', now, { task, by, waitedMs: now - task.created_at });
    if (task.status === 'queued') this.ctx.scheduler.taskAvailable(task);
    else if (task.status === 'delayed') this.ctx.dispatch.armDelayTimer();
    return ok(toWireTask(task));
  }

  /** An operator rejects a task awaiting approval: it is cancelled with reason `rejected`; its dependents settle by policy. */
  async rejectTask(taskId: string, by: string | null, reason: string): Promise<Result<Task>> {
    const decided = await this.ctx.queue.decideApproval(taskId, { decision: 'rejected', by, reason }, this.ctx.now());
    if (!decided.ok) return decided;
    const task = decided.value;
    const now = this.ctx.now();
    this.ctx.events.emit('task.rejected', now, { task, by, reason, waitedMs: now - task.created_at });
    return ok(toWireTask(task));
  }

  async askApproval(agentId: string, request: ApprovalRequest): Promise<Result<ApprovalView>> {
    if (!this.questions) return fail('AC_ERR_NOT_IMPLEMENTED', 'approval_request');
    return this.questions.ask(agentId, request);
  }

  async answerApproval(id: string, answer: string, by: string | null): Promise<Result<ApprovalView>> {
    if (!this.questions) return fail('AC_ERR_NOT_IMPLEMENTED', 'approvals');
    return this.questions.answer(id, answer, by);
  }

  getApproval(id: string): ApprovalView | undefined {
    return this.questions?.get(id);
  }

  /** Questions of one status (oldest first), and the tasks awaiting approval when pending ones are asked for. */
  listApprovals(status: ApprovalListStatus, limit: number): ApprovalList {
    const approvals = this.questions?.list(status, limit) ?? [];
    const gated = status === 'pending' || status === 'all' ? this.tasks.listTasks({ status: 'awaiting_approval', limit }).tasks.reverse() : [];
    return { approvals, count: approvals.length, tasks_awaiting_approval: gated };
  }

  /** Questions waiting for an answer, for the metrics gauge. */
  pendingCount(): number {
    return this.questions?.pendingCount() ?? 0;
  }
}
