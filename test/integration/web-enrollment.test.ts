// Registration modes, single-use enrollment tokens, and which tasks an agent token may
// cancel or retry (issue 15).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliBin, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('wire: registration modes', () => {
  it('with registration token, registers only with a live single-use enrollment token; the CLI issues and uses one', async function () {
    this.timeout(60_000);
    const hub = await startTestHub({ registration: 'token' });
    const home = makeTempDir('enroll-home');
    try {
      const bare = await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'drifter' }, token: null });
      expect(bare.status).to.equal(401);
      expect(bare.body).to.include({ code: 'AC_ERR_ENROLLMENT_TOKEN' });

      const issued = await cli(['token', 'enroll', '--ttl', '1h', '--hub', hub.url, '--token', hub.adminToken], {});
      expect(issued.code, issued.stderr).to.equal(0);
      const enrollToken = issued.stdout.trim();
      expect(enrollToken).to.match(/^enroll_[0-9a-f]{48}$/);
      const first = await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'runner-1', enrollment_token: enrollToken }, token: null });
      expect(first.status).to.equal(201);
      const again = await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'runner-2', enrollment_token: enrollToken }, token: null });
      expect(again.status).to.equal(401);

      const second = (await hub.http('POST', '/api/admin/enrollment-tokens', { body: { ttl_ms: 60_000 } })).body.token as string;
      const added = await cli(['agent', 'add', '--name', 'ci-runner', '--hub', hub.url, '--dir', home.path, '--no-start', '--enroll-token', second, '--json'], {});
      expect(added.code, added.stderr).to.equal(0);
      expect(JSON.parse(added.stdout)).to.include({ agent_id: 'ci-runner' });
      // Admins may always register.
      expect((await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'by-admin' } })).status).to.equal(201);
    } finally {
      home.remove();
      await hub.stop();
    }
  });

  it('with registration closed, refuses everyone but admins', async () => {
    const hub = await startTestHub({ registration: 'closed' });
    try {
      const refused = await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'drifter' }, token: null });
      expect(refused.status).to.equal(403);
      expect(refused.body).to.include({ code: 'AC_ERR_REGISTRATION_CLOSED' });
      expect((await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'by-admin' } })).status).to.equal(201);
    } finally {
      await hub.stop();
    }
  });
});

describe('wire: agent-token task scope', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub();
  });

  after(async () => {
    await hub.stop();
  });

  it('lets an agent token cancel only tasks its agent submitted or holds; an admin cancels any', async () => {
    const ownerToken = await hub.register('owner');
    const strangerToken = await hub.register('stranger');
    const mine = (await hub.http('POST', '/api/tasks', { body: { description: 'mine' }, token: ownerToken })).body.task_id;
    const theirs = (await hub.http('POST', '/api/tasks', { body: { description: 'theirs' }, token: ownerToken })).body.task_id;
    const refused = await hub.http('POST', `/api/tasks/${mine}/cancel`, { token: strangerToken });
    expect(refused.status).to.equal(403);
    expect(refused.body).to.include({ code: 'AC_ERR_TASK_SCOPE', task_id: mine });
    expect((await hub.http('GET', `/api/tasks/${mine}`)).body.status).to.equal('queued');
    expect((await hub.http('POST', `/api/tasks/${mine}/cancel`, { token: ownerToken })).status).to.equal(200);
    expect((await hub.http('POST', `/api/tasks/${theirs}/cancel`)).status).to.equal(200);
    expect((await hub.http('POST', `/api/tasks/${theirs}/retry`, { token: strangerToken })).status).to.equal(403);
  });
});
