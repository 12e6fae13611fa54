// Approval gates on tasks, and agents' questions to an operator mid-task.
import type { Result } from '../../storage/domain/errors.ts';
import type { Static } from '@sinclair/typebox';
import type { ApprovalList, ApprovalRequest, approvalViewSchema } from '../protocol/approvals.ts';

export type { ApprovalList };
import type { Task } from '../../storage/domain/task.ts';

/** An agent's question as the API and the dashboard feed show it: the wire schema's type, declared once. */
export type ApprovalView = Static<typeof approvalViewSchema>;

export type ApprovalListStatus = 'pending' | 'answered' | 'closed' | 'all';

export interface ApprovalsPort {
  approveTask(taskId: string, by: string | null, note: string | null): Promise<Result<Task>>;
  rejectTask(taskId: string, by: string | null, reason: string): Promise<Result<Task>>;
  /** An agent's approval_request; resolves once the question is durable. */
  askApproval(agentId: string, request: ApprovalRequest): Promise<Result<ApprovalView>>;
  answerApproval(id: string, answer: string, by: string | null): Promise<Result<ApprovalView>>;
  getApproval(id: string): ApprovalView | undefined;
  listApprovals(status: ApprovalListStatus, limit: number): ApprovalList;
}
