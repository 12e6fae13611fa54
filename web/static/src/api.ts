// The hub's HTTP API, with the admin token as a Bearer header. A 401 means the token is
// wrong or revoked: the page forgets it and asks again.
import type { Task, TaskPage, QueueStats } from './types.ts';
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

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    return answer as T;
  }

  stats(): Promise<QueueStats> {
    return this.call('GET', '/api/tasks/stats');
  }

  tasks(filter: TaskFilter, limit: number, cursor: number | null): Promise<TaskPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [name, value] of Object.entries(filter)) if (value) query.set(name, value);
    if (cursor !== null) query.set('cursor', String(cursor));
    return this.call('GET', `/api/tasks?${query}`);
  }

  task(id: string): Promise<Task> {
    return this.call('GET', `/api/tasks/${encodeURIComponent(id)}`);
  }

  deadLetters(limit: number): Promise<TaskPage> {
    return this.call('GET', `/api/tasks/dead-letter?limit=${limit}`);
  }

  retry(id: string): Promise<{ status: string; task_id: string }> {
    return this.call('POST', `/api/tasks/${encodeURIComponent(id)}/retry`);
  }

  backup(): Promise<{ backup: { name: string; manifest: { size_bytes: number } } }> {
    return this.call('POST', '/api/admin/backup');
  }

  /** Lifts an agent's breaker or rate-limit block (fleet control). */
  unblockAgent(id: string): Promise<{ status: string }> {
    return this.call('POST', `/api/agents/${encodeURIComponent(id)}/unblock`);
  }

  cancel(id: string): Promise<{ status: string; task_id: string }> {
    return this.call('POST', `/api/tasks/${encodeURIComponent(id)}/cancel`);
  }

  /** Moves a queued, delayed or waiting task to another lane (0 urgent … 3 low). */
  reprioritise(id: string, priority: number): Promise<{ task_id: string; priority: number; previous_priority: number; changed: boolean }> {
    return this.call('PATCH', `/api/tasks/${encodeURIComponent(id)}`, { priority });
  }

  purge(id: string): Promise<{ status: string; count: number }> {
    return this.call('DELETE', `/api/tasks/dead-letter/${encodeURIComponent(id)}`);
  }

  schedules(): Promise<{ schedules: ScheduleView[] }> {
    return this.call('GET', '/api/schedules');
  }

  setSchedulePaused(id: string, paused: boolean): Promise<ScheduleView> {
    return this.call('POST', `/api/schedules/${encodeURIComponent(id)}/${paused ? 'pause' : 'resume'}`);
  }

  deleteSchedule(id: string): Promise<{ status: string }> {
    return this.call('DELETE', `/api/schedules/${encodeURIComponent(id)}`);
  }

  approvals(): Promise<ApprovalList> {
    return this.call('GET', '/api/approvals?status=pending');
  }

  approve(taskId: string): Promise<{ status: string; task_id: string }> {
    return this.call('POST', `/api/tasks/${encodeURIComponent(taskId)}/approve`, {});
  }

  reject(taskId: string, reason: string): Promise<{ status: string; task_id: string }> {
    return this.call('POST', `/api/tasks/${encodeURIComponent(taskId)}/reject`, { reason });
  }

  answer(approvalId: string, answer: string): Promise<ApprovalView> {
    return this.call('POST', `/api/approvals/${encodeURIComponent(approvalId)}`, { answer });
  }
}
