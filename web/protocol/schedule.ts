// Recurring tasks: POST /api/schedules. A leaf: imports only TypeBox and task.ts.
import { Type, type Static } from '@sinclair/typebox';
import { taskSubmitSchema } from './task.ts';

export const catchUpPolicies = ['none', 'last', 'all'] as const;
export type CatchUpPolicy = (typeof catchUpPolicies)[number];

/** `cron`: five fields, or six with seconds first; `timezone`: an IANA name (default UTC). */
export const scheduleCreateSchema = Type.Object(
  {
    cron: Type.String({ minLength: 1, maxLength: 128 }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** What to submit at each firing: a task submit body. */
    task: Type.Object(taskSubmitSchema.properties, { additionalProperties: true }),
    /** Firings missed while the hub was down: none, only the last, or all (default last). */
    catch_up: Type.Optional(Type.String({ enum: [...catchUpPolicies] })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: true, $id: 'http/schedule_create' },
);
export type ScheduleCreate = Static<typeof scheduleCreateSchema>;

// HTTP replies of /api/schedules; the schedules port's view is this schema's type.
const at = Type.Integer({ minimum: 0 });

/** A recurring-task schedule as the API shows it. */
export const scheduleViewSchema = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  cron: Type.String(),
  timezone: Type.String(),
  catch_up: Type.Union(catchUpPolicies.map((policy) => Type.Literal(policy))),
  /** The task submit body each firing submits. */
  task: Type.Record(Type.String(), Type.Unknown()),
  paused: Type.Boolean(),
  created_at: at,
  last_fired_at: at,
  last_task_id: Type.Union([Type.String(), Type.Null()]),
  next_fire_at: Type.Union([at, Type.Null()]),
});
export type ScheduleView = Static<typeof scheduleViewSchema>;

/** GET /api/schedules. */
export const scheduleListSchema = Type.Object({ schedules: Type.Array(scheduleViewSchema) });

/** DELETE /api/schedules/:id. */
export const scheduleDeletedSchema = Type.Object({ status: Type.Literal('deleted'), schedule_id: Type.String() });
