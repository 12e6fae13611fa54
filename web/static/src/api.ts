// The hub's HTTP API, with the admin token as a Bearer header. A 401 means the token is
// wrong or revoked: the page forgets it and asks again.
// Each call names the reply schema the hub serializes its answer with (web/protocol/http-replies.ts),
// so what the page reads is typed by the hub's own declaration.
import type { HttpReply, HttpReplyName } from '../../protocol/http-replies.ts';
import type { ApprovalList, ApprovalView } from '../../ports/approvals-port.ts';
import type { ScheduleView } from '../../ports/schedules-port.ts';

export type { ApprovalList, ApprovalView, ScheduleView };

export class Unauthorized extends Error {}

export interface TaskFilter {
  status?: string;
  priority?: string;
  assigned_to?: string;
  capability?: string;
}

export class HubApi {
  constructor(private readonly token: () => string | null, private readonly onUnauthorized: () => void) {}

  /** `_reply` names the answer's schema: it types the result and says what the hub sends. */
  private async call<N extends HttpReplyName>(_reply: N, method: string, path: string, body?: unknown): Promise<HttpReply<N>> {
    const response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${this.token() ?? ''}`, accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      cache: 'no-store',
    });
    if (response.status === 401) {
      this.onUnauthorized();
      throw new Unauthorized('the hub refused the admin token');
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) throw new Error(String(answer.code ?? answer.error ?? `HTTP ${response.status}`));
    return answer as HttpReply<N>;
  }

  stats(): Promise<HttpReply<'task_stats'>> {
    return this.call('task_stats', 'GET', '/api/tasks/stats');
  }

  tasks(filter: TaskFilter, limit: number, cursor: number | null): Promise<HttpReply<'task_page'>> {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [name, value] of Object.entries(filter)) if (value) query.set(name, value);
    if (cursor !== null) query.set('cursor', String(cursor));
    return this.call('task_page', 'GET', `/api/tasks?${query}`);
  }

  task(id: string): Promise<HttpReply<'task_detail'>> {
    return this.call('task_detail', 'GET', `/api/tasks/${encodeURIComponent(id)}`);
  }

  deadLetters(limit: number): Promise<HttpReply<'task_page'>> {
    return this.call('task_page', 'GET', `/api/tasks/dead-letter?limit=${limit}`);
  }

  retry(id: string): Promise<HttpReply<'task_requeued'>> {
    return this.call('task_requeued', 'POST', `/api/tasks/${encodeURIComponent(id)}/retry`);
  }

  backup(): Promise<HttpReply<'backup_taken'>> {
    return this.call('backup_taken', 'POST', '/api/admin/backup');
  }

  /** Lifts an agent's breaker or rate-limit block (fleet control). */
  unblockAgent(id: string): Promise<HttpReply<'agent_unblocked'>> {
    return this.call('agent_unblocked', 'POST', `/api/agents/${encodeURIComponent(id)}/unblock`);
  }

  cancel(id: string): Promise<HttpReply<'task_cancelled'>> {
    return this.call('task_cancelled', 'POST', `/api/tasks/${encodeURIComponent(id)}/cancel`);
  }

  /** Moves a queued, delayed or waiting task to another lane (0 urgent … 3 low). */
  reprioritise(id: string, priority: number): Promise<HttpReply<'task_reprioritised'>> {
    return this.call('task_reprioritised', 'PATCH', `/api/tasks/${encodeURIComponent(id)}`, { priority });
  }

  purge(id: string): Promise<HttpReply<'dead_letters_purged'>> {
    return this.call('dead_letters_purged', 'DELETE', `/api/tasks/dead-letter/${encodeURIComponent(id)}`);
  }

  schedules(): Promise<HttpReply<'schedule_list'>> {
    return this.call('schedule_list', 'GET', '/api/schedules');
  }

  setSchedulePaused(id: string, paused: boolean): Promise<ScheduleView> {
    return this.call('schedule', 'POST', `/api/schedules/${encodeURIComponent(id)}/${paused ? 'pause' : 'resume'}`);
  }

  deleteSchedule(id: string): Promise<HttpReply<'schedule_deleted'>> {
    return this.call('schedule_deleted', 'DELETE', `/api/schedules/${encodeURIComponent(id)}`);
  }

  approvals(): Promise<ApprovalList> {
    return this.call('approval_list', 'GET', '/api/approvals?status=pending');
  }

  approve(taskId: string): Promise<HttpReply<'approval_decided'>> {
    return this.call('approval_decided', 'POST', `/api/tasks/${encodeURIComponent(taskId)}/approve`, {});
  }

  reject(taskId: string, reason: string): Promise<HttpReply<'approval_decided'>> {
    return this.call('approval_decided', 'POST', `/api/tasks/${encodeURIComponent(taskId)}/reject`, { reason });
  }

  answer(approvalId: string, answer: string): Promise<ApprovalView> {
    return this.call('approval', 'POST', `/api/approvals/${encodeURIComponent(approvalId)}`, { answer });
  }
}
