// /api/schedules: recurring tasks. Reading needs any token; changing them an admin token.
import { metadataOversize } from '../protocol/task.ts';
import type { SchedulesPort } from '../ports/schedules-port.ts';
import type { Result } from '../../storage/domain/errors.ts';
import type { ScheduleView } from '../protocol/schedule.ts';
import { errorReply, failureReply, typedReply, type Reply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function scheduleRoutes({ hub: { schedules } }: RouteDeps): Route[] {
  const withSchedules = (act: (schedules: SchedulesPort) => Reply | Promise<Reply>) =>
    schedules ? act(schedules) : errorReply('AC_ERR_NOT_IMPLEMENTED', { detail: 'schedules are not enabled on this hub' });
  const idRoute = (method: 'POST' | 'DELETE', path: string, act: (schedules: SchedulesPort, id: string) => Promise<Reply>): Route => ({
    method, path, auth: 'admin', handle: ({ params }) => withSchedules((schedules) => act(schedules, params.id!)),
  });
  const answer = async (result: Promise<Result<ScheduleView>>, id: string) => {
    const done = await result;
    return done.ok ? typedReply('schedule', 200, done.value) : failureReply(done, { schedule_id: id });
  };
  return [
    {
      method: 'POST', path: '/api/schedules', auth: 'admin', body: 'schedule_create',
      handle: ({ body }) => withSchedules(async (schedules) => {
        const create = body;
        const oversize = metadataOversize(create.task.metadata);
        if (oversize) return errorReply('AC_ERR_VALIDATION', { errors: [{ ...oversize, field: 'task.metadata' }] });
        const created = await schedules.create(create);
        return created.ok ? typedReply('schedule', 201, created.value) : failureReply(created);
      }),
    },
    { method: 'GET', path: '/api/schedules', auth: 'agent', handle: () => withSchedules((schedules) => typedReply('schedule_list', 200, { schedules: schedules.list() })) },
    {
      method: 'GET', path: '/api/schedules/:id', auth: 'agent',
      handle: ({ params }) => withSchedules((schedules) => {
        const found = schedules.get(params.id!);
        return found.ok ? typedReply('schedule', 200, found.value) : failureReply(found, { schedule_id: params.id! });
      }),
    },
    idRoute('POST', '/api/schedules/:id/pause', (schedules, id) => answer(schedules.pause(id), id)),
    idRoute('POST', '/api/schedules/:id/resume', (schedules, id) => answer(schedules.resume(id), id)),
    idRoute('DELETE', '/api/schedules/:id', async (schedules, id) => {
      const removed = await schedules.remove(id);
      return removed.ok ? typedReply('schedule_deleted', 200, { status: 'deleted', schedule_id: id }) : failureReply(removed, { schedule_id: id });
    }),
  ];
}
