// /api/tasks: submit, list, stats, detail, retry and cancel; dead letters; admin push.
import { taskScopeRefusal } from './task-scope.ts';
import { metadataOversize } from '../protocol/task.ts';
import { priorityAliases, priorityNames } from '../../storage/domain/priorities.ts';
import { maxPageLimit, type PageQueryText } from '../protocol/http-queries.ts';
import type { TaskListQuery } from '../ports/task-port.ts';
import { errorReply, failureReply, typedReply, wireError, type Reply } from './reply.ts';
import type { TaskBulkItem } from '../protocol/task-bulk.ts';
import type { BulkOutcome } from '../ports/task-port.ts';
import type { WireValidator } from '../validation.ts';
import { httpStatusOf, type Failure } from '../../storage/domain/errors.ts';
import { principalName, type Route, type RouteDeps } from './route.ts';

const defaultPageLimit = 100;

export function taskRoutes({ hub: { tasks }, validator }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/tasks/bulk', auth: 'agent', body: 'task_bulk',
      async handle({ body, principal }) {
        const items = body.tasks.map((item) => bulkItemOf(validator, item));
        const submitted = await tasks.submitBulk(items, principalName(principal));
        if (!submitted.ok) return failureReply(submitted);
        return bulkReply(submitted.value, body.tasks);
      },
    },
    {
      method: 'POST', path: '/api/tasks', auth: 'agent', body: 'task_submit',
      async handle({ body, principal }) {
        const oversize = metadataOversize(body.metadata);
        if (oversize) return errorReply('AC_ERR_VALIDATION', { errors: [oversize] });
        const submitted = await tasks.submitTask(body, principalName(principal));
        if (!submitted.ok) return failureReply(submitted);
        const { task, created } = submitted.value;
        // The reference's four fields first; ours after, so old clients read what they always read.
        return typedReply('task_submitted', created ? 201 : 200, {
          status: task.status, task_id: task.id, priority: task.priority, created_at: task.created_at,
          created, not_before: task.not_before, idempotency_key: task.idempotency_key,
        });
      },
    },
    {
      method: 'GET', path: '/api/tasks', auth: 'agent', query: 'task_list_query',
      handle({ body: text }) {
        const query: TaskListQuery = {
          ...page(text),
          ...(text.status ? { status: text.status } : {}),
          ...(text.priority ? { priority: priorityFromText(text.priority) } : {}),
          ...(text.assigned_to ? { assignedTo: text.assigned_to } : {}),
          ...(text.capability ? { capability: text.capability } : {}),
        };
        if (text.waiting_on !== undefined) return typedReply('task_page', 200, tasks.listWaitingOn(text.waiting_on));
        return typedReply('task_page', 200, tasks.listTasks(query));
      },
    },
    {
      method: 'GET', path: '/api/tasks/stats', auth: 'agent',
      handle: () => typedReply('task_stats', 200, tasks.taskStats()),
    },
    {
      method: 'GET', path: '/api/tasks/dead-letter', auth: 'agent', query: 'page_query',
      handle: ({ body }) => typedReply('task_page', 200, tasks.listDeadLetters(page(body))),
    },
    {
      method: 'DELETE', path: '/api/tasks/dead-letter', auth: 'admin',
      async handle() {
        const purged = await tasks.purgeDeadLetters();
        return purged.ok ? typedReply('dead_letters_purged', 200, { status: 'purged', count: purged.value }) : failureReply(purged);
      },
    },
    {
      method: 'DELETE', path: '/api/tasks/dead-letter/:id', auth: 'admin',
      async handle({ params }) {
        const purged = await tasks.purgeDeadLetters(params.id);
        return purged.ok
          ? typedReply('dead_letters_purged', 200, { status: 'purged', count: purged.value, task_id: params.id! })
          : failureReply(purged, { task_id: params.id });
      },
    },
    {
      method: 'GET', path: '/api/tasks/:id', auth: 'agent',
      handle({ params }) {
        const task = tasks.getTask(params.id!);
        if (!task) return errorReply('AC_ERR_TASK_NOT_FOUND', { task_id: params.id });
        return typedReply('task_detail', 200, { ...task, ...tasks.taskLinks(task.id) });
      },
    },
    {
      method: 'PATCH', path: '/api/tasks/:id', auth: 'admin', body: 'task_patch',
      async handle({ params, body }) {
        const priority = priorityOf(body.priority);
        const moved = await tasks.reprioritiseTask(params.id!, priority);
        if (!moved.ok) return failureReply(moved, { task_id: params.id });
        const { task, from } = moved.value;
        return typedReply('task_reprioritised', 200, {
          status: task.status, task_id: task.id, priority: task.priority, previous_priority: from, changed: from !== task.priority,
        });
      },
    },
    {
      method: 'POST', path: '/api/tasks/:id/retry', auth: 'agent',
      async handle({ params, principal }) {
        const refused = taskScopeRefusal(tasks, principal, params.id!);
        if (refused) return refused;
        const retried = await tasks.retryDeadLetter(params.id!);
        if (!retried.ok) return failureReply(retried, { task_id: params.id });
        return typedReply('task_requeued', 200, { status: 'requeued', task_id: retried.value.id, priority: retried.value.priority });
      },
    },
    {
      method: 'POST', path: '/api/tasks/:id/cancel', auth: 'agent',
      async handle({ params, query, principal }) {
        const refused = taskScopeRefusal(tasks, principal, params.id!);
        if (refused) return refused;
        const cancelled = await tasks.cancelTask(params.id!, query.get('cascade') === 'true');
        if (!cancelled.ok) return failureReply(cancelled, { task_id: params.id });
        return typedReply('task_cancelled', 200, { status: 'cancelled', task_id: cancelled.value.id });
      },
    },
    {
      method: 'POST', path: '/api/admin/push-task', auth: 'admin', body: 'push_task',
      async handle({ body: push }) {
        const oversize = metadataOversize(push.metadata);
        if (oversize) return errorReply('AC_ERR_VALIDATION', { errors: [oversize] });
        const pushed = await tasks.pushTask(push.agent_id, push.description, push.metadata ?? {}, push.paths ?? []);
        if (!pushed.ok) return failureReply(pushed, { agent_id: push.agent_id });
        return typedReply('task_pushed', 200, { status: 'pushed', task_id: pushed.value.id, agent_id: push.agent_id });
      },
    },
  ];
}

/** A bulk item's validation failure keeps its field errors for the reply. */
type ItemFailure = Failure & { errors: readonly unknown[] };

/** One bulk item validated as a single submit would be. */
function bulkItemOf(validator: WireValidator, item: unknown): { ok: true; value: TaskBulkItem } | ItemFailure {
  const checked = validator.httpInput('task_bulk_item', item);
  if (!checked.ok) return { ok: false, code: 'AC_ERR_VALIDATION', detail: JSON.stringify(checked.errors), errors: checked.errors };
  const oversize = metadataOversize(checked.value.metadata);
  if (oversize) return { ok: false, code: 'AC_ERR_VALIDATION', detail: oversize.detail, errors: [oversize] };
  return checked;
}

/** 200 with one entry per item; 422 when a graph was refused whole (nothing was created). */
function bulkReply(outcome: BulkOutcome, items: readonly unknown[]): Reply {
  const results = outcome.outcomes.map((result, index) => {
    const ref = refOf(items[index]);
    if (result.ok) {
      const { task, created } = result.value;
      return { index, ok: true as const, task_id: task.id, status: task.status, created, ...ref };
    }
    const errors = 'errors' in result && Array.isArray(result.errors) ? result.errors : undefined;
    return { index, ok: false as const, error: wireError(result.code), code: result.code, detail: result.detail, ...(errors ? { errors } : {}), ...ref };
  });
  const created = results.filter((result) => result.ok && result.created).length;
  const failed = results.filter((result) => !result.ok).length;
  if (!outcome.accepted) {
    return typedReply('task_bulk', httpStatusOf('AC_ERR_BULK_ABORTED'), { error: 'bulk_rejected', code: 'AC_ERR_BULK_ABORTED', created: 0, failed, results });
  }
  return typedReply('task_bulk', 200, { created, failed, results });
}

function refOf(item: unknown): { ref?: string } {
  const ref = typeof item === 'object' && item !== null ? (item as { ref?: unknown }).ref : undefined;
  return typeof ref === 'string' ? { ref } : {};
}

function page(text: PageQueryText): Pick<TaskListQuery, 'limit' | 'cursor'> {
  const limit = text.limit === undefined ? defaultPageLimit : Math.min(Number(text.limit), maxPageLimit);
  return { limit, ...(text.cursor !== undefined ? { cursor: Number(text.cursor) } : {}) };
}

function priorityOf(value: string | number): number {
  return typeof value === 'number' ? value : priorityFromText(value);
}

function priorityFromText(text: string): number {
  if (/^[0-3]$/.test(text)) return Number(text);
  const lane = priorityNames.indexOf(text as (typeof priorityNames)[number]);
  return lane >= 0 ? lane : priorityAliases[text]!;
}
