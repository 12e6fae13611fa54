// Recurring tasks: schedules that submit one task per cron firing.
//
// Each firing submits with the idempotency key `schedule:<id>:<firing time>`, so a
// restart between the submit and the schedule's own update, or a second hub on the
// same data, never makes a second task of one firing. Firings missed while the hub
// was down follow the schedule's `catch_up`; firings while it is paused are skipped.
import { randomBytes } from 'node:crypto';
import type { ScheduleRecord, ScheduleStore } from '../storage/schedule-store.ts';
import type { ScheduleView, SchedulesPort } from '../web/hub-port.ts';
import type { ScheduleCreate } from '../web/protocol/schedule.ts';
import type { Task } from '../storage/domain/task.ts';
import type { TaskSubmit } from '../web/protocol/task.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import type { Logger } from './logger.ts';
import { checkCron, dueFirings, nextFiring, type CatchUp } from './schedule-firings.ts';

export interface SchedulesDeps {
  store: ScheduleStore;
  submit: (body: TaskSubmit, submittedBy: string) => Promise<Result<{ task: Task; created: boolean }>>;
  now: () => number;
  log: Logger;
}

const maxTimerMs = 2 ** 31 - 1;

export class Schedules implements SchedulesPort {
  private timer: NodeJS.Timeout | null = null;
  private firing: Promise<void> = Promise.resolve();
  private running = false;

  constructor(private readonly deps: SchedulesDeps) {}

  async create(body: ScheduleCreate): Promise<Result<ScheduleView>> {
    const timezone = body.timezone ?? 'UTC';
    const problem = checkCron(body.cron, timezone);
    if (problem) return fail('AC_ERR_SCHEDULE_INVALID', body.cron, timezone, problem);
    const record: ScheduleRecord = {
      id: `schedule-${randomBytes(6).toString('hex')}`,
      name: body.name ?? null,
      cron: body.cron,
      timezone,
      catch_up: (body.catch_up ?? 'last') as CatchUp,
      task: body.task,
      paused: false,
      created_at: this.deps.now(),
      last_fired_at: this.deps.now(),
      last_task_id: null,
    };
    await this.deps.store.put(record);
    this.deps.log.info('schedule created', { schedule_id: record.id, cron: record.cron, timezone });
    this.arm();
    return ok(this.view(record));
  }

  list(): ScheduleView[] {
    return this.deps.store.list().map((record) => this.view(record));
  }

  get(id: string): Result<ScheduleView> {
    const record = this.deps.store.get(id);
    return record ? ok(this.view(record)) : fail('AC_ERR_SCHEDULE_NOT_FOUND', id);
  }

  pause(id: string): Promise<Result<ScheduleView>> {
    return this.update(id, (record) => ({ ...record, paused: true }));
  }

  /** Firings that fell while it was paused are skipped, not caught up. */
  resume(id: string): Promise<Result<ScheduleView>> {
    return this.update(id, (record) => (record.paused ? { ...record, paused: false, last_fired_at: this.deps.now() } : record));
  }

  async remove(id: string): Promise<Result<string>> {
    if (!(await this.deps.store.remove(id))) return fail('AC_ERR_SCHEDULE_NOT_FOUND', id);
    this.arm();
    return ok(id);
  }

  /** Catches up what fell due while the hub was down (per catch_up) and arms the timer. */
  start(): void {
    this.running = true;
    void this.fireDue();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Submits every firing due at `now`, one schedule after another; calls never overlap. */
  fireDue(now = this.deps.now()): Promise<void> {
    this.firing = this.firing.then(() => this.fireAll(now)).finally(() => this.arm());
    return this.firing;
  }

  private async fireAll(now: number): Promise<void> {
    for (const record of this.deps.store.list()) {
      if (record.paused) continue;
      const { fire, handledUpTo } = dueFirings(record.cron, record.timezone, record.catch_up, record.last_fired_at, now);
      if (handledUpTo === record.last_fired_at) continue;
      let lastTaskId = record.last_task_id;
      for (const at of fire) {
        const body = { ...record.task, idempotency_key: `schedule:${record.id}:${at}` } as TaskSubmit;
        const submitted = await this.deps.submit(body, `schedule:${record.id}`);
        if (submitted.ok) lastTaskId = submitted.value.task.id;
        else this.deps.log.warning('schedule firing not submitted', { schedule_id: record.id, fired_at: at, code: submitted.code, detail: submitted.detail });
      }
      // Re-read: a pause or delete while submitting wins over this update.
      const current = this.deps.store.get(record.id);
      if (current) await this.deps.store.put({ ...current, last_fired_at: handledUpTo, last_task_id: lastTaskId });
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    const now = this.deps.now();
    let next = Infinity;
    for (const record of this.deps.store.list()) {
      if (!record.paused) next = Math.min(next, nextFiring(record.cron, record.timezone, Math.max(record.last_fired_at, now - 1)));
    }
    if (next === Infinity) return;
    // Waking early only re-arms; setTimeout fires at once past ~24.8 days.
    this.timer = setTimeout(() => void this.fireDue(), Math.min(Math.max(0, next - now), maxTimerMs));
    this.timer.unref();
  }

  private async update(id: string, change: (record: ScheduleRecord) => ScheduleRecord): Promise<Result<ScheduleView>> {
    const record = this.deps.store.get(id);
    if (!record) return fail('AC_ERR_SCHEDULE_NOT_FOUND', id);
    const updated = change(record);
    await this.deps.store.put(updated);
    this.arm();
    return ok(this.view(updated));
  }

  private view(record: ScheduleRecord): ScheduleView {
    const nextAt = record.paused ? null : nextFiring(record.cron, record.timezone, Math.max(record.last_fired_at, this.deps.now() - 1));
    return { ...record, next_fire_at: nextAt };
  }
}
