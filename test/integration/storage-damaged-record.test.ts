// One damaged task record (its bytes cut in half on disk) must not fail every listing, and
// must not stay: its bytes and keys go to the quarantine folder, it leaves the store in one
// durable write, /health says so, and the next listing is clean.
import { expect } from 'chai';
import { open } from 'lmdb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startHub, type RunningHub } from '../../runtime/boot.ts';
import { resolveConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

async function start(dir: string, adminToken: string): Promise<RunningHub> {
  const config = resolveConfig({ host: '127.0.0.1', port: 0, data_dir: dir, log_level: 'error', alert_first_check_ms: 200 });
  if (!config.ok) throw new Error(config.detail);
  const logger = createLogger('error', new Writable({ write: (_chunk, _encoding, done) => done() }));
  return startHub({ config: config.value, logger, adminToken });
}

/** Cuts the stored bytes of one record in half, as a torn or overwritten page would leave them. Returns the bytes left. */
async function damage(dir: string, db: string, id: string): Promise<number> {
  const root = open({ path: dir, noSubdir: false, maxDbs: 32 });
  const raw = root.openDB<Buffer, string>({ name: db, encoding: 'binary' });
  const bytes = raw.getBinary(id);
  if (!bytes) throw new Error(`no record ${id} in ${db}`);
  const half = Buffer.from(bytes.subarray(0, Math.floor(bytes.length / 2)));
  raw.putSync(id, half);
  await root.close();
  return half.length;
}

describe('storage: a damaged record does not fail the listings', function () {
  this.timeout(30_000);
  const adminToken = 'test-admin-token-damaged-record';
  let dir: TempDir;
  let hub: RunningHub | undefined;

  beforeEach(() => { dir = makeTempDir('damaged'); });
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
    dir.remove();
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${hub!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: await response.json() as any };
  };

  const quarantine = async () => {
    for (let i = 0; i < 200; i++) {
      const health = await api('GET', '/api/admin/storage-health');
      if (health.body.last_records_quarantine) return health.body.last_records_quarantine;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the damaged record was never quarantined');
  };

  const expectQuarantined = (done: any, id: string, bytes: number) => {
    expect(done.records).to.have.length(1);
    expect(done.records[0]).to.include({ id, db: 'tasks', bytes });
    expect(done.records[0].index_keys.byStatus).to.have.length(1);
    const listed = JSON.parse(readFileSync(join(done.folder, 'records.json'), 'utf8'));
    expect(listed.records.map((record: { id: string }) => record.id)).to.deep.equal([id]);
    expect(readFileSync(join(done.folder, done.records[0].file)).length).to.equal(bytes);
  };

  it('found at open: quarantines its bytes and keys, takes it out of the store, and every listing is clean', async () => {
    hub = await start(dir.path, adminToken);
    const ids: string[] = [];
    for (const description of ['first', 'second (to be damaged)', 'third']) {
      const submitted = await api('POST', '/api/tasks', { description, metadata: { note: description.repeat(20) } });
      expect(submitted.status).to.equal(201);
      ids.push(submitted.body.task_id);
    }
    await hub.stop();
    const bytes = await damage(dir.path, 'tasks', ids[1]!);

    hub = await start(dir.path, adminToken);
    expectQuarantined(await quarantine(), ids[1]!, bytes);
    const listed = await api('GET', '/api/tasks');
    expect(listed.status).to.equal(200);
    expect(listed.body.tasks.map((task: { id: string }) => task.id)).to.have.members([ids[0], ids[2]]);
    expect(listed.body.skipped_unreadable).to.equal(undefined);
    const queued = await api('GET', '/api/tasks?status=queued');
    expect(queued.body.count).to.equal(2);
    expect((await api('GET', '/api/tasks/stats')).body.by_status.queued).to.equal(2);
    expect((await api('GET', '/api/dashboard/state')).status).to.equal(200);
    const health = await fetch(`${hub.url}/health`).then((response) => response.json() as Promise<any>);
    expect(health.status).to.equal('degraded');
    expect(JSON.stringify(health.reasons)).to.include('records_quarantined');
    // And the storage alert fires with it.
    let alerts: any[] = [];
    for (let i = 0; i < 100 && !alerts.some((alert) => alert.rule_id === 'storage_unhealthy'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      alerts = (await api('GET', '/api/alerts')).body.alerts;
    }
    expect(alerts.find((alert) => alert.rule_id === 'storage_unhealthy')?.message).to.include('records_quarantined');
    // The rest of the queue still works, and a restart finds a sound store (nothing restored, nothing to quarantine).
    const after = await api('POST', '/api/tasks', { description: 'after the damage' });
    expect(after.status).to.equal(201);
    await hub.stop();
    hub = await start(dir.path, adminToken);
    const again = await api('GET', '/api/tasks');
    expect(again.body.tasks.map((task: { id: string }) => task.id)).to.have.members([ids[0], ids[2], after.body.task_id]);
    expect((await api('GET', '/api/admin/storage-health')).body.last_recovery).to.equal(null);
  });

  it('found by a listing while the hub runs: skipped once, then quarantined, and the next listing is clean', async () => {
    hub = await start(dir.path, adminToken);
    const ids: string[] = [];
    for (const description of ['one', 'two (to be damaged)', 'three']) {
      const submitted = await api('POST', '/api/tasks', { description, metadata: { note: description.repeat(20) } });
      ids.push(submitted.body.task_id);
    }
    // Same process, same file: lmdb-js hands back the hub's own environment, so this write is the hub's.
    const bytes = await damage(dir.path, 'tasks', ids[1]!);

    const first = await api('GET', '/api/tasks');
    expect(first.status).to.equal(200);
    expect(first.body.skipped_unreadable).to.equal(1);
    expectQuarantined(await quarantine(), ids[1]!, bytes);
    const next = await api('GET', '/api/tasks');
    expect(next.body.skipped_unreadable).to.equal(undefined);
    expect(next.body.tasks.map((task: { id: string }) => task.id)).to.have.members([ids[0], ids[2]]);
    expect((await api('GET', '/api/tasks?status=queued')).body.count).to.equal(2);
  });
});
