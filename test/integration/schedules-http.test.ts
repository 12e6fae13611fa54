import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

describe('wire: /api/schedules', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await startTestHub();
  });

  afterEach(async () => {
    await hub.stop();
  });

  it('creates, lists, pauses, resumes and deletes a schedule; agents may read but not change', async () => {
    const created = await hub.http('POST', '/api/schedules', {
      body: { cron: '0 2 * * *', timezone: 'Europe/Berlin', task: { description: 'nightly dependency bump', priority: 'low' }, catch_up: 'none', name: 'bump' },
    });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ cron: '0 2 * * *', timezone: 'Europe/Berlin', catch_up: 'none', paused: false, name: 'bump' });
    expect(created.body.next_fire_at).to.be.above(Date.now());
    const id = created.body.id as string;

    const agentToken = await hub.register('reader');
    const listed = await hub.http('GET', '/api/schedules', { token: agentToken });
    expect(listed.body.schedules.map((s: { id: string }) => s.id)).to.deep.equal([id]);
    expect((await hub.http('POST', `/api/schedules/${id}/pause`, { token: agentToken })).status).to.equal(403);

    const paused = await hub.http('POST', `/api/schedules/${id}/pause`);
    expect(paused.body).to.include({ paused: true, next_fire_at: null });
    const resumed = await hub.http('POST', `/api/schedules/${id}/resume`);
    expect(resumed.body.paused).to.equal(false);
    expect((await hub.http('DELETE', `/api/schedules/${id}`)).body).to.include({ status: 'deleted' });
    expect((await hub.http('GET', `/api/schedules/${id}`)).body.code).to.equal('AC_ERR_SCHEDULE_NOT_FOUND');
  });

  it('refuses a bad cron expression with a clear code and creates nothing', async () => {
    const refused = await hub.http('POST', '/api/schedules', { body: { cron: '61 * * * *', task: { description: 'x' } } });
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('AC_ERR_SCHEDULE_INVALID');
    expect((await hub.http('GET', '/api/schedules')).body.schedules).to.deep.equal([]);
  });

  it('fires a every-second schedule into the queue with its firing-time idempotency key', async () => {
    const created = await hub.http('POST', '/api/schedules', { body: { cron: '* * * * * *', task: { description: 'tick', needed_capabilities: ['nobody'] } } });
    const deadline = Date.now() + 5_000;
    let tasks: Array<{ idempotency_key: string; submitted_by: string }> = [];
    while (tasks.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      tasks = (await hub.http('GET', '/api/tasks?status=queued')).body.tasks;
    }
    expect(tasks.length).to.be.at.least(2);
    expect(tasks[0]!.idempotency_key).to.match(new RegExp(`^schedule:${created.body.id}:\\d+$`));
    expect(tasks[0]!.submitted_by).to.equal(`schedule:${created.body.id}`);
    expect(new Set(tasks.map((task) => task.idempotency_key)).size).to.equal(tasks.length);
  });
});
