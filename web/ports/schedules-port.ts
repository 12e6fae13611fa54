// Recurring tasks (POST /api/schedules …).
import type { Result } from '../../storage/domain/errors.ts';
import type { ScheduleCreate } from '../protocol/schedule.ts';

/** A recurring-task schedule as the API shows it. */
export interface ScheduleView {
  id: string;
  name: string | null;
  cron: string;
  timezone: string;
  catch_up: 'none' | 'last' | 'all';
  task: Record<string, unknown>;
  paused: boolean;
  created_at: number;
  last_fired_at: number;
  last_task_id: string | null;
  next_fire_at: number | null;
}

/** Recurring tasks (POST /api/schedules …). */
export interface SchedulesPort {
  create(body: ScheduleCreate): Promise<Result<ScheduleView>>;
  list(): ScheduleView[];
  get(id: string): Result<ScheduleView>;
  pause(id: string): Promise<Result<ScheduleView>>;
  resume(id: string): Promise<Result<ScheduleView>>;
  remove(id: string): Promise<Result<string>>;
}
