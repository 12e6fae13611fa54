// The real `agentcom submit` against a real hub: a graph from a JSONL file in one bulk
// request, and --after for a single dependent task.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['AGENTCOM_TOKEN', 'AGENTCOM_ADMIN_TOKEN', 'AGENTCOM_HUB_URL']) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [cliBin, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('agentcom submit --file and --after, agentcom schedules', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let dir: TempDir;

  beforeEach(async () => {
    hub = await startTestHub();
    dir = makeTempDir('submit-file');
  });

  afterEach(async () => {
    await hub.stop();
    dir.remove();
  });

  it('submits a plan → implement → review graph from a JSONL file and prints one id per line', async () => {
    const file = path.join(dir.path, 'tasks.jsonl');
    writeFileSync(file, [
      { ref: 'plan', description: 'plan the change' },
      { ref: 'implement', description: 'implement it', depends_on_refs: ['plan'] },
      { ref: 'review', description: 'review the PR', depends_on_refs: ['implement'] },
    ].map((task) => JSON.stringify(task)).join('\n') + '\n\n');
    const run = await cli('submit', '--file', file, '--hub', hub.url, '--token', hub.adminToken);
    expect(run.code, run.stderr).to.equal(0);
    const ids = run.stdout.trim().split('\n');
    expect(ids).to.have.length(3);
    const statuses = await Promise.all(ids.map(async (id) => (await hub.http('GET', `/api/tasks/${id}`)).body.status));
    expect(statuses).to.deep.equal(['queued', 'waiting', 'waiting']);

    const after = await cli('submit', 'ship it', '--after', ids[2]!, '--hub', hub.url, '--token', hub.adminToken);
    expect(after.code, after.stderr).to.equal(0);
    const { body: shipped } = await hub.http('GET', `/api/tasks/${after.stdout.trim()}`);
    expect(shipped).to.include({ status: 'waiting' });
    expect(shipped.depends_on).to.deep.equal([ids[2]]);
  });

  it('creates a schedule and pauses it from the CLI', async () => {
    const created = await cli('schedules', 'create', '0 2 * * *', 'nightly dependency bump', '--timezone', 'Europe/Berlin', '--catch-up', 'none',
      '--hub', hub.url, '--token', hub.adminToken, '--json');
    expect(created.code, created.stderr).to.equal(0);
    const schedule = JSON.parse(created.stdout);
    expect(schedule).to.include({ cron: '0 2 * * *', timezone: 'Europe/Berlin', catch_up: 'none' });
    const paused = await cli('schedules', 'pause', schedule.id, '--hub', hub.url, '--token', hub.adminToken);
    expect(paused.stdout.trim()).to.equal(`${schedule.id} paused`);
    expect((await hub.http('GET', `/api/schedules/${schedule.id}`)).body.paused).to.equal(true);
  });

  it('prints an error line per refused item and exits 1', async () => {
    const file = path.join(dir.path, 'tasks.jsonl');
    writeFileSync(file, `${JSON.stringify({ description: 'fine' })}\n${JSON.stringify({ description: 'orphan', depends_on: ['task-0000000000000000'] })}\n`);
    const run = await cli('submit', '--file', file, '--hub', hub.url, '--token', hub.adminToken);
    expect(run.code).to.equal(1);
    const [fine, orphan] = run.stdout.trim().split('\n');
    expect(fine).to.match(/^task-[0-9a-f]{16}$/);
    expect(orphan).to.contain(`${file}:2: AC_ERR_DEPENDENCY_NOT_FOUND`);
  });
});
