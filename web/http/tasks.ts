// /api/tasks: submit, list, stats, detail, retry and cancel; dead letters; admin push.
import { taskScopeRefusal } from './task-scope.ts';
import type { Task } from '../protocol/task.ts';
import { metadataOversize, priorityAliases, priorityNames, type TaskStatus, type TaskSubmit } from '../protocol/task.ts';
import type { PushTaskBody } from '../protocol/http-bodies.ts';
import { maxPageLimit, type PageQueryText, type TaskListQueryText } from '../protocol/http-queries.ts';
import type { TaskListQuery } from '../hub-port.ts';
import { errorReply, failureReply, reply } from './reply.ts';
import { principalName, type Route, type RouteDeps } from './route.ts';

const defaultPageLimit = 100;

export function taskRoutes({ hub }: RouteDeps): Route[] {
  return [
    {
      method: 'POST', path: '/api/tasks', auth: 'agent', body: 'task_submit',
      async handle({ body, principal }) {
        const oversize = metadataOversize((body as TaskSubmit).metadata);
        if (oversize) return errorReply('AC_ERR_VALIDATION', { errors: [oversize] });
        const submitted = await hub.submitTask(body as TaskSubmit, principalName(principal));
        if (!submitted.ok) return failureReply(submitted);
        const { task, created } = submitted.value;
        // The reference's four fields first; ours after, so old clients read what they always read.
        return reply(created ? 201 : 200, {
          status: task.status, task_id: task.id, priority: task.priority, created_at: task.created_at,
          created, not_before: task.not_before, idempotency_key: task.idempotency_key,
        });
      },
    },
    {
      method: 'GET', path: '/api/tasks', auth: 'agent', query: 'task_list_query',
      handle({ body }) {
        const text = body as TaskListQueryText;
        const query: TaskListQuery = {
          ...page(text),
          ...(text.status ? { status: text.status as TaskStatus } : {}),
          ...(text.priority ? { priority: priorityFromText(text.priority) } : {}),
          ...(text.assigned_to ? { assignedTo: text.assigned_to } : {}),
          ...(text.capability ? { capability: text.capability } : {}),
        };
        return reply(200, hub.listTasks(query));
      },
    },
    {
      method: 'GET', path: '/api/tasks/stats', auth: 'agent',
      handle: () => reply(200, hub.taskStats()),
    },
    {
      method: 'GET', path: '/api/tasks/dead-letter', auth: 'agent', query: 'page_query',
      handle: ({ body }) => reply(200, hub.listDeadLetters(page(body as PageQueryText))),
    },
    {
      method: 'DELETE', path: '/api/tasks/dead-letter', auth: 'admin',
      async handle() {
        const purged = await hub.purgeDeadLetters();
        return purged.ok ? reply(200, { status: 'purged', count: purged.value }) : failureReply(purged);
      },
    },
    {
      method: 'DELETE', path: '/api/tasks/dead-letter/:id', auth: 'admin',
      async handle({ params }) {
        const purged = await hub.purgeDeadLetters(params.id);
        return purged.ok
          ? reply(200, { status: 'purged', count: purged.value, task_id: params.id })
          : failureReply(purged, { task_id: params.id });
      },
    },
    {
      method: 'GET', path: '/api/tasks/:id', auth: 'agent',
      handle({ params }) {
        const task = hub.getTask(params.id!);
        return task ? reply(200, task) : errorReply('AC_ERR_TASK_NOT_FOUND', { task_id: params.id });
      },
    },
    {
      method: 'POST', path: '/api/tasks/:id/retry', auth: 'agent',
      async handle({ params, principal }) {
        const refused = taskScopeRefusal(hub, principal, params.id!);
        if (refused) return refused;
        const retried = await hub.retryDeadLetter(params.id!);
        if (!retried.ok) return failureReply(retried, { task_id: params.id });
        return reply(200, { status: 'requeued', task_id: retried.value.id, priority: retried.value.priority });
      },
    },
    {
      method: 'POST', path: '/api/tasks/:id/cancel', auth: 'agent',
      async handle({ params, principal }) {
        const refused = taskScopeRefusal(hub, principal, params.id!);
        if (refused) return refused;
        const cancelled = await hub.cancelTask(params.id!);
        if (!cancelled.ok) return failureReply(cancelled, { task_id: params.id });
        return reply(200, { status: 'cancelled', task_id: cancelled.value.id });
      },
    },
    {
      method: 'POST', path: '/api/admin/push-task', auth: 'admin', body: 'push_task',
      async handle({ body }) {
        const push = body as PushTaskBody;
        const oversize = metadataOversize(push.metadata);
        if (oversize) return errorReply('AC_ERR_VALIDATION', { errors: [oversize] });
        const pushed = await hub.pushTask(push.agent_id, push.description, push.metadata ?? {});
        if (!pushed.ok) return failureReply(pushed, { agent_id: push.agent_id });
        return reply(200, { status: 'pushed', task_id: (pushed.value as Task).id, agent_id: push.agent_id });
      },
    },
  ];
}

function page(text: PageQueryText): Pick<TaskListQuery, 'limit' | 'cursor'> {
  const limit = text.limit === undefined ? defaultPageLimit : Math.min(Number(text.limit), maxPageLimit);
  return { limit, ...(text.cursor !== undefined ? { cursor: Number(text.cursor) } : {}) };
}

function priorityFromText(text: string): number {
  if (/^[0-3]$/.test(text)) return Number(text);
  const lane = priorityNames.indexOf(text as (typeof priorityNames)[number]);
  return lane >= 0 ? lane : priorityAliases[text]!;
}
