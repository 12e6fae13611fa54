// One hub per data dir and per port, with real `agentcom start` processes: a second
// hub refuses with one line instead of taking writes beside the first, and a lock
// left by a kill -9 is taken over without losing an acknowledged task.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { refusalLines, spawnHub, type HubProcess } from '../support/hub-process.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

describe('hub exclusivity: data dir lock and exclusive port (real processes)', function () {
  this.timeout(90_000);
  let dir: TempDir;
  let other: TempDir;
  const started: HubProcess[] = [];

  beforeEach(() => {
    dir = makeTempDir('lock');
    other = makeTempDir('lock-other');
  });

  afterEach(async () => {
    for (const hub of started.splice(0)) {
      hub.kill('SIGKILL');
      await hub.exited();
    }
    dir.remove();
    other.remove();
  });

  const start = (args: string[]) => {
    const hub = spawnHub(args);
    started.push(hub);
    return hub;
  };

  it('refuses a second hub on the same data dir, takes over the lock after kill -9, and keeps the acknowledged task', async () => {
    const first = start(['--port', '0', '--data-dir', dir.path]);
    const { url, adminToken } = await first.ready();
    const submitted = await fetch(`${url}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'survive the second hub' }),
    });
    expect(submitted.status).to.equal(201);
    const { task_id: taskId } = await submitted.json() as { task_id: string };

    const second = start(['--port', '0', '--data-dir', dir.path]);
    const refused = await second.exited();
    expect(refused.code).to.equal(2);
    const lines = refusalLines(second);
    expect(lines, 'one clear line').to.have.length(1);
    expect(lines[0]).to.match(/^agentcom: AC_ERR_DATA_DIR_LOCKED: data dir .* is in use by another hub \(pid (\d+) on /);
    expect(lines[0]).to.include(`pid ${first.child.pid} `);
    // The first hub is untouched and still answers.
    expect((await fetch(`${url}/health`)).status).to.equal(200);

    first.kill('SIGKILL');
    await first.exited();
    expect(existsSync(join(dir.path, 'agentcom.lock')), 'kill -9 leaves the lock behind').to.equal(true);

    const third = start(['--port', '0', '--data-dir', dir.path]);
    const after = await third.ready();
    expect(third.stdout()).to.include('took over a stale data dir lock');
    expect(JSON.parse(readFileSync(join(dir.path, 'agentcom.lock'), 'utf8')).pid).to.equal(third.child.pid);
    const listed = await fetch(`${after.url}/api/tasks/${taskId}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(listed.status).to.equal(200);

    third.kill('SIGTERM');
    expect((await third.exited()).code).to.equal(0);
    expect(existsSync(join(dir.path, 'agentcom.lock')), 'a clean stop removes the lock').to.equal(false);
  });

  it('refuses a second hub on a port in use with AC_ERR_PORT_IN_USE and one line', async () => {
    const first = start(['--port', '0', '--data-dir', dir.path]);
    const { url } = await first.ready();
    const port = new URL(url).port;

    const second = start(['--port', port, '--data-dir', other.path]);
    const refused = await second.exited();
    expect(refused.code).to.equal(2);
    expect(refusalLines(second)).to.deep.equal([`agentcom: AC_ERR_PORT_IN_USE: cannot listen on 127.0.0.1:${port}`]);
    expect(existsSync(join(other.path, 'agentcom.lock')), 'the refused hub released its data dir').to.equal(false);
    expect((await fetch(`${url}/health`)).status).to.equal(200);
  });
});
