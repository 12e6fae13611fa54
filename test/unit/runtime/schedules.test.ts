// Schedules on a simulated clock over a real LMDB store and queue, across a restart:
// no firing doubled, none lost, missed ones as catch_up says.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { ok } from '../../../storage/domain/errors.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { dueFirings } from '../../../runtime/schedule-firings.ts';
import { Schedules } from '../../../runtime/schedules.ts';
import { newTaskFrom } from '../../../runtime/task-intake.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { ScheduleStore } from '../../../storage/schedule-store.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import { toWireTask } from '../../../storage/task-record.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const minute = 60_000;
const t0 = Date.UTC(2026, 0, 1, 0, 0, 30);
const log = createLogger('error', new Writable({ write: (_c, _e, done) => done() }));

describe('Schedules (simulated clock)', () => {
  let dir: TempDir;
  let store: LmdbStore;
  let queue: LmdbTaskQueue;
  let clock: number;
  let schedules: Schedules;

  const boot = () => {
    store = openLmdbStore({ path: dir.path });
    queue = LmdbTaskQueue.onStore(store);
    schedules = new Schedules({
      store: new ScheduleStore(store),
      now: () => clock,
      log,
      submit: async (body, by) => {
        const submitted = await queue.submit(newTaskFrom(body, by, clock), clock);
        return submitted.ok ? ok({ task: toWireTask(submitted.value.task), created: submitted.value.created }) : submitted;
      },
    });
  };
  const restart = async () => {
    await queue.close();
    boot();
  };
  const firedAt = () => queue.list({ limit: 1000 }).tasks
    .map((task) => Number(task.idempotency_key!.split(':')[2]))
    .sort((a, b) => a - b);

  beforeEach(() => {
    dir = makeTempDir('schedules');
    clock = t0;
    boot();
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  async function everyMinute(catchUp: 'none' | 'last' | 'all'): Promise<string> {
    const created = await schedules.create({ cron: '* * * * *', task: { description: `every minute (${catchUp})` }, catch_up: catchUp });
    if (!created.ok) throw new Error(created.detail);
    return created.value.id;
  }

  const minuteMark = (n: number) => Date.UTC(2026, 0, 1, 0, n, 0);

  it('submits one task per firing, and a repeated tick or a restart submits none twice', async () => {
    await everyMinute('all');
    for (let n = 1; n <= 3; n += 1) {
      clock = minuteMark(n) + 5;
      await schedules.fireDue();
      await schedules.fireDue();
    }
    await restart();
    await schedules.fireDue();
    expect(firedAt()).to.deep.equal([minuteMark(1), minuteMark(2), minuteMark(3)]);
  });

  for (const [catchUp, expected] of [
    ['all', [5, 10, 15, 20, 25]],
    ['last', [5, 25]],
    ['none', [5]],
  ] as const) {
    it(`after a restart, follows catch_up: ${catchUp} for the firings missed while down`, async () => {
      const created = await schedules.create({ cron: '*/5 * * * *', task: { description: 'every five minutes' }, catch_up: catchUp });
      expect(created.ok).to.equal(true);
      clock = minuteMark(5) + 5;
      await schedules.fireDue();
      // Down from 00:05 to 00:28: the firings at 10, 15, 20 and 25 are missed.
      await restart();
      clock = minuteMark(28);
      await schedules.fireDue();
      await schedules.fireDue();
      expect(firedAt()).to.deep.equal(expected.map(minuteMark));
      // And it goes on normally afterwards.
      clock = minuteMark(30) + 1;
      await schedules.fireDue();
      expect(firedAt().slice(-1)).to.deep.equal([minuteMark(30)]);
    });
  }

  it('never doubles a firing when the schedule update was lost after the submit (crash in between)', async () => {
    const id = await everyMinute('all');
    const record = new ScheduleStore(store).get(id)!;
    clock = minuteMark(2) + 1;
    await schedules.fireDue();
    // Put the schedule back as it was before the firing, as if the hub died before writing it.
    await new ScheduleStore(store).put(record);
    await restart();
    await schedules.fireDue();
    expect(firedAt()).to.deep.equal([minuteMark(1), minuteMark(2)]);
  });

  it('skips firings while paused and resumes from the resume time', async () => {
    const id = await everyMinute('all');
    await schedules.pause(id);
    clock = minuteMark(5) + 1;
    await schedules.fireDue();
    expect(firedAt()).to.deep.equal([]);
    await schedules.resume(id);
    clock = minuteMark(6) + 1;
    await schedules.fireDue();
    expect(firedAt()).to.deep.equal([minuteMark(6)]);
  });

  it('reads cron in the schedule time zone', () => {
    // 02:00 in Berlin is 01:00 UTC in winter.
    const { fire } = dueFirings('0 2 * * *', 'Europe/Berlin', 'all', Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 1, 0, 10));
    expect(fire).to.deep.equal([Date.UTC(2026, 0, 1, 1, 0)]);
  });

  it('refuses a bad cron expression or time zone', async () => {
    const badCron = await schedules.create({ cron: 'every day', task: { description: 'x' } });
    expect(badCron.ok ? 'ok' : badCron.code).to.equal('AC_ERR_SCHEDULE_INVALID');
    const badZone = await schedules.create({ cron: '* * * * *', timezone: 'Mars/Base', task: { description: 'x' } });
    expect(badZone.ok ? 'ok' : badZone.code).to.equal('AC_ERR_SCHEDULE_INVALID');
    expect(schedules.list()).to.deep.equal([]);
  });
});
