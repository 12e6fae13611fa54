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
