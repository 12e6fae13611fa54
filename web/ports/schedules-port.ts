// Recurring tasks (POST /api/schedules …).
import type { Result } from '../../storage/domain/errors.ts';
import type { ScheduleCreate, ScheduleView } from '../protocol/schedule.ts';

export type { ScheduleView };

/** Recurring tasks (POST /api/schedules …). */
export interface SchedulesPort {
  create(body: ScheduleCreate): Promise<Result<ScheduleView>>;
  list(): ScheduleView[];
  get(id: string): Result<ScheduleView>;
  pause(id: string): Promise<Result<ScheduleView>>;
  resume(id: string): Promise<Result<ScheduleView>>;
  remove(id: string): Promise<Result<string>>;
}
