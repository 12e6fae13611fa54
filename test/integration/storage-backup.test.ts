import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HubEvent } from '../../web/ports/dashboard-port.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

describe('storage admin over HTTP: backups and health', () => {
  let hub: TestHub;
  let backups: TempDir;

  beforeEach(async () => {
    backups = makeTempDir('backups');
    hub = await startTestHub({ backup_dir: backups.path, backup_schedule: 'off', compaction_schedule: 'off' });
  });

  afterEach(async () => {
    await hub.stop();
    backups.remove();
  });

  it('takes a backup on POST /api/admin/backup, lists it with its manifest, and tells the dashboard feed', async () => {
    for (let i = 0; i < 5; i++) await hub.http('POST', '/api/tasks', { body: { description: `task ${i}` } });
    const events: HubEvent[] = [];
    const unsubscribe = hub.running.hub.dashboard.onEvent((event) => events.push(event));
    const taken = await hub.http('POST', '/api/admin/backup');
    unsubscribe();
    expect(taken.status).to.equal(200);
    expect(taken.body).to.include({ status: 'complete' });
    expect(taken.body.tables_success).to.equal(taken.body.tables_total);
    expect(taken.body.backup.manifest.task_counts.queued).to.equal(5);
    expect(existsSync(join(taken.body.backup.path, 'data.mdb'))).to.equal(true);
    expect(events.map((event) => event.type)).to.include('backup_complete');

    const listed = await hub.http('GET', '/api/admin/backups');
    expect(listed.body.backups.map((b: { name: string }) => b.name)).to.deep.equal([taken.body.backup.name]);
    expect(listed.body.in_progress).to.equal(null);
  });

  it('answers storage health in the reference shape at both paths, healthy after a backup', async () => {
    const before = await hub.http('GET', '/api/admin/dets-health');
    expect(before.status).to.equal(200);
    expect(before.body).to.include({ health_status: 'warning', stale_backup: true, last_backup_at: null });
    await hub.http('POST', '/api/admin/backup');
    const after = await hub.http('GET', '/api/admin/storage-health');
    expect(after.body).to.include({ health_status: 'healthy', stale_backup: false, high_fragmentation: false });
    expect(after.body.tables.map((t: { table: string }) => t.table)).to.include('tasks');
    expect(after.body.tables[0]).to.have.keys('table', 'record_count', 'file_size_bytes', 'fragmentation_ratio', 'status');
    expect(after.body.storage).to.include.keys('file_size_bytes', 'map_size_bytes', 'pages_used', 'pages_free', 'fragmentation', 'entries');
    expect(after.body.last_backup_age_ms).to.be.a('number');
    const health = await hub.http('GET', '/health', { token: null });
    expect(health.body).to.include({ status: 'ok' });
    expect(health.body.reasons).to.deep.equal([]);
  });

  it('compacts on POST /api/admin/compact (and the reference\'s /:table), keeping the run in the history', async () => {
    for (let i = 0; i < 5; i++) await hub.http('POST', '/api/tasks', { body: { description: `task ${i}` } });
    const events: HubEvent[] = [];
    const unsubscribe = hub.running.hub.dashboard.onEvent((event) => events.push(event));
    const all = await hub.http('POST', '/api/admin/compact');
    expect(all.status).to.equal(200);
    expect(all.body).to.include({ status: 'complete', tables_total: 1, tables_compacted: 1 });
    const one = await hub.http('POST', '/api/admin/compact/task_queue');
    unsubscribe();
    expect(one.body).to.include({ table: 'task_queue', status: 'complete' });
    expect(events.filter((event) => event.type === 'compaction_complete')).to.have.length(2);
    const health = await hub.http('GET', '/api/admin/storage-health');
    expect(health.body.compaction_history).to.have.length(2);
    expect(health.body.last_compaction).to.include({ status: 'complete', trigger: 'manual', attempts: 1 });
    expect(health.body.last_compaction.write_pause_ms).to.be.a('number');
    expect((await hub.http('GET', '/api/tasks/stats')).body.by_status.queued).to.equal(5);
  });

  it('refuses storage admin routes to an agent token', async () => {
    const token = await hub.register('agent-a');
    const answer = await hub.http('POST', '/api/admin/backup', { token });
    expect(answer.status).to.equal(403);
  });
});
