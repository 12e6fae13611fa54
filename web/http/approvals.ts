// Approval gates and agents' questions over HTTP: approve or reject a task that is
// awaiting_approval, list the approvals inbox, answer a question. Deciding is an
// operator's act, so every write here needs an admin token: an agent must not approve
// its own gated work or answer its own question.
import { errorReply, failureReply, typedReply } from './reply.ts';
import { principalName, type Route, type RouteDeps } from './route.ts';

const defaultListLimit = 100;

export function approvalRoutes({ hub: { approvals } }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/tasks/:id/approve', auth: 'admin', body: 'task_approve',
      async handle({ params, body, principal }) {
        const approved = await approvals.approveTask(params.id!, principalName(principal), body.note ?? null);
        if (!approved.ok) return failureReply(approved, { task_id: params.id });
        return typedReply('approval_decided', 200, { status: approved.value.status, task_id: approved.value.id, approval: approved.value.approval });
      },
    },
    {
      method: 'POST', path: '/api/tasks/:id/reject', auth: 'admin', body: 'task_reject',
      async handle({ params, body, principal }) {
        const rejected = await approvals.rejectTask(params.id!, principalName(principal), body.reason);
        if (!rejected.ok) return failureReply(rejected, { task_id: params.id });
        return typedReply('approval_decided', 200, { status: rejected.value.status, task_id: rejected.value.id, approval: rejected.value.approval });
      },
    },
    {
      method: 'GET', path: '/api/approvals', auth: 'admin', query: 'approval_list_query',
      handle({ body }) {
        const query = body;
        const limit = query.limit === undefined ? defaultListLimit : Number(query.limit);
        return typedReply('approval_list', 200, approvals.listApprovals(query.status ?? 'pending', limit));
      },
    },
    {
      method: 'GET', path: '/api/approvals/:id', auth: 'admin',
      handle({ params }) {
        const approval = approvals.getApproval(params.id!);
        return approval ? typedReply('approval', 200, approval) : errorReply('AC_ERR_APPROVAL_NOT_FOUND', { approval_id: params.id! });
      },
    },
    {
      method: 'POST', path: '/api/approvals/:id', auth: 'admin', body: 'approval_answer',
      async handle({ params, body, principal }) {
        const answered = await approvals.answerApproval(params.id!, body.answer, principalName(principal));
        if (!answered.ok) return failureReply(answered, { approval_id: params.id });
        return typedReply('approval', 200, answered.value);
      },
    },
  ];
}
