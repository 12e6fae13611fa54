// One damaged task record (its bytes cut in half on disk) must not fail every listing:
// the listing skips it and says so, the stats count it, the dashboard state still loads.
import { expect } from 'chai';
import { open } from 'lmdb';
import { Writable } from 'node:stream';
import { startHub, type RunningHub } from '../../runtime/boot.ts';
import { resolveConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

async function start(dir: string, adminToken: string): Promise<RunningHub> {
  const config = resolveConfig({ host: '127.0.0.1', port: 0, data_dir: dir, log_level: 'error' });
  if (!config.ok) throw new Error(config.detail);
  const logger = createLogger('error', new Writable({ write: (_chunk, _encoding, done) => done() }));
  return startHub({ config: config.value, logger, adminToken });
}

/** Cuts the stored bytes of one record in half, as a torn or overwritten page would leave them. */
async function damage(dir: string, db: string, id: string): Promise<void> {
  const root = open({ path: dir, noSubdir: false, maxDbs: 32 });
  const raw = root.openDB<Buffer, string>({ name: db, encoding: 'binary' });
  const bytes = raw.getBinary(id);
  if (!bytes) throw new Error(`no record ${id} in ${db}`);
  raw.putSync(id, Buffer.from(bytes.subarray(0, Math.floor(bytes.length / 2))));
  await root.close();
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

  it('skips the record in GET /api/tasks and the dashboard state, and counts it in the stats', async () => {
    hub = await start(dir.path, adminToken);
    const ids: string[] = [];
    for (const description of ['first', 'second (to be damaged)', 'third']) {
      const submitted = await api('POST', '/api/tasks', { description, metadata: { note: description.repeat(20) } });
      expect(submitted.status).to.equal(201);
      ids.push(submitted.body.task_id);
    }
    await hub.stop();
    await damage(dir.path, 'tasks', ids[1]!);

    hub = await start(dir.path, adminToken);
    const listed = await api('GET', '/api/tasks');
    expect(listed.status).to.equal(200);
    expect(listed.body.tasks.map((task: { id: string }) => task.id)).to.have.members([ids[0], ids[2]]);
    expect(listed.body.skipped_unreadable).to.equal(1);
    const queued = await api('GET', '/api/tasks?status=queued');
    expect(queued.status).to.equal(200);
    expect(queued.body.count).to.equal(2);

    const stats = await api('GET', '/api/tasks/stats');
    expect(stats.body.unreadable_records).to.equal(1);
    expect((await api('GET', '/api/dashboard/state')).status).to.equal(200);
    // The rest of the queue still works around it.
    expect((await api('POST', '/api/tasks', { description: 'after the damage' })).status).to.equal(201);
  });
});
