// The approvals inbox: tasks awaiting approval (approve, or reject with a reason) and
// agents' questions mid-task (answer with one of the agent's options or free text),
// oldest first. Re-read after every approval-related event and every `refreshEveryMs`.
import { approvalLimits } from '../../protocol/approval-limits.ts';
import type { ApprovalList, ApprovalView, HubApi } from './api.ts';
import { byId, h, keyedList } from './dom.ts';
import { ago } from './format.ts';
import type { Task } from './types.ts';

const refreshEveryMs = 15_000;

type InboxItem = { kind: 'task'; task: Task } | { kind: 'question'; approval: ApprovalView };

export function approvalsView(api: HubApi, toast: (text: string) => void, openTask: (id: string) => void): { reload(): void } {
  const list = byId('approvals');
  const count = byId('approvals-count');

  const taskRow = (task: Task) => {
    const reason = h('input', { type: 'text', class: 'reason', placeholder: 'Reason to reject', 'aria-label': `Reason to reject ${task.id}`, maxlength: approvalLimits.noteChars });
    return h('li', { class: 'row approval', 'data-approval-task': task.id },
      h('div', { class: 'row-main' },
        h('a', { href: '#', class: 'desc', onclick: (event: Event) => { event.preventDefault(); openTask(task.id); } }),
        h('span', { class: 'muted when' })),
      h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'approve', onclick: () => decide(task.id, 'approve', '') }, 'Approve'),
        reason,
        h('button', { type: 'button', class: 'ghost reject', onclick: () => decide(task.id, 'reject', reason.value.trim()) }, 'Reject')));
  };

  const questionRow = (approval: ApprovalView) => {
    const text = h('input', { type: 'text', class: 'answer', placeholder: 'Answer', 'aria-label': `Answer to ${approval.id}`, maxlength: approvalLimits.answerChars });
    return h('li', { class: 'row approval question', 'data-approval': approval.id },
      h('div', { class: 'row-main' },
        h('span', { class: 'desc' }),
        h('span', { class: 'muted when' })),
      h('div', { class: 'row-actions' },
        ...(approval.options ?? []).map((option) =>
          h('button', { type: 'button', class: 'option', onclick: () => answer(approval.id, option) }, option)),
        text,
        h('button', { type: 'button', class: 'send', onclick: () => answer(approval.id, text.value.trim()) }, 'Answer')));
  };

  const render = (inbox: ApprovalList) => {
    const items: InboxItem[] = [
      ...inbox.tasks_awaiting_approval.map((task) => ({ kind: 'task' as const, task })),
      ...inbox.approvals.map((approval) => ({ kind: 'question' as const, approval })),
    ];
    count.textContent = items.length > 0 ? `(${items.length})` : '';
    keyedList(list, items, (item) => (item.kind === 'task' ? `task:${item.task.id}` : `question:${item.approval.id}`),
      (item) => (item.kind === 'task' ? taskRow(item.task) : questionRow(item.approval)),
      (element, item) => {
        if (item.kind === 'task') {
          element.querySelector('.desc')!.textContent = item.task.description;
          element.querySelector('.when')!.textContent = `task ${item.task.id} · submitted ${ago(item.task.created_at, Date.now())} by ${item.task.submitted_by ?? 'unknown'}`;
        } else {
          element.querySelector('.desc')!.textContent = item.approval.question;
          element.querySelector('.when')!.textContent = `${item.approval.agent_id} asks about ${item.approval.task_id} · ${ago(item.approval.asked_at, Date.now())}`;
        }
      });
    if (items.length === 0) list.replaceChildren(h('li', { class: 'muted' }, 'Nothing waits for you.'));
  };

  const load = async () => {
    try {
      render(await api.approvals());
    } catch (error) {
      list.replaceChildren(h('li', { class: 'muted' }, `Approvals unavailable: ${(error as Error).message}`));
    }
  };

  const decide = async (taskId: string, what: 'approve' | 'reject', reason: string) => {
    if (what === 'reject' && !reason) {
      toast('Give a reason to reject.');
      return;
    }
    try {
      const done = what === 'approve' ? await api.approve(taskId) : await api.reject(taskId, reason);
      toast(what === 'approve' ? `Approved ${taskId}: now ${done.status}` : `Rejected ${taskId}`);
    } catch (error) {
      toast(`Failed: ${(error as Error).message}`);
    }
    await load();
  };

  const answer = async (approvalId: string, text: string) => {
    if (!text) {
      toast('Write an answer first.');
      return;
    }
    try {
      await api.answer(approvalId, text);
      toast('Answer sent to the agent');
    } catch (error) {
      toast(`Failed: ${(error as Error).message}`);
    }
    await load();
  };

  let pending: number | undefined;
  const reload = () => {
    clearTimeout(pending);
    pending = window.setTimeout(() => void load(), 100);
  };
  void load();
  window.setInterval(() => void load(), refreshEveryMs);
  return { reload };
}
