// Token buckets on the wire (reference §8): shapes of warning and denial, IP keying,
// overrides and whitelist across a restart, scheduling exclusion, and backing off.
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { execFile } from 'node:child_process';
import path from 'node:path';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');
const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, [cliBin, ...args], { timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('wire: rate limits', () => {
  let hub: TestHub;

  beforeEach(async () => {
    hub = await startTestHub({ rate_limits: true });
  });

  afterEach(async () => {
    await hub.stop();
  });

  it('warns over WS under 20% left, then denies with rate_limited and drops the frame', async () => {
    const agent = await hub.connectAgent('warned');
    expect((await hub.http('PUT', '/api/admin/rate-limits/warned', { body: { light: { capacity: 5, refill_rate_per_min: 6 } } })).status).to.equal(200);
    // 1 of 5 left is 20%, not under it: no warning yet.
    for (let i = 0; i < 4; i++) await agent.ws.request({ type: 'ping' }, 'pong');
    expect(agent.ws.pending()).to.deep.equal([]);
    agent.ws.send({ type: 'ping' });
    expect(await agent.ws.nextMessage()).to.deep.equal({ type: 'rate_limit_warning', tier: 'light', remaining: 0, capacity: 5 });
    expect((await agent.ws.nextMessage()).type).to.equal('pong');
    agent.ws.send({ type: 'ping' });
    // All five spent: the next token is 10 s away at 6/min.
    expect(await agent.ws.nextMessage()).to.deep.equal({ type: 'rate_limited', retry_after_ms: 10_000, tier: 'light', code: 'AC_ERR_RATE_LIMITED', frame: 'ping' });
    await sleep(100);
    expect(agent.ws.pending()).to.deep.equal([]);
    const view = (await hub.http('GET', '/api/admin/rate-limits')).body;
    expect(view.limited[0]).to.include({ key: 'agent:warned', agent_id: 'warned', tier: 'light', channel: 'ws' });
    expect((await hub.http('GET', '/api/dashboard/state')).body.rate_limits.limited[0]).to.include({ agent_id: 'warned' });
  });

  it('answers HTTP 429 with Retry-After and the reference body, keying unauthenticated register by IP', async () => {
    const answers = [];
    for (let i = 0; i < 11; i++) {
      answers.push(await hub.http('POST', '/api/onboard/register', { body: { agent_id: `by-ip-${i}` }, token: null }));
    }
    expect(answers.slice(0, 10).map((answer) => answer.status)).to.deep.equal(Array(10).fill(201));
    const denied = answers[10]!;
    expect(denied.status).to.equal(429);
    expect(denied.headers.get('retry-after')).to.equal('6');
    expect(denied.body).to.deep.equal({ error: 'rate_limited', code: 'AC_ERR_RATE_LIMITED', retry_after_ms: 6000, tier: 'heavy' });
    // Another caller (here an admin, exempt by default) is not affected.
    expect((await hub.http('POST', '/api/onboard/register', { body: { agent_id: 'by-admin' } })).status).to.equal(201);
    // X-Forwarded-For is ignored without trust_proxy: a forged header does not buy a fresh bucket.
    const forged = await fetch(`${hub.url}/api/onboard/register`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' }, body: JSON.stringify({ agent_id: 'forged' }),
    });
    expect(forged.status).to.equal(429);
  });

  it('names the dropped frame and its request_id, so a lease request knows its answer will not come', async () => {
    const agent = await hub.connectAgent('leasing');
    await hub.http('PUT', '/api/admin/rate-limits/leasing', { body: { normal: { capacity: 1, refill_rate_per_min: 1 } } });
    const answered = await agent.ws.request({ type: 'lease_release', lease_id: 'lease-0', request_id: 'r0' }, 'lease_result');
    expect(answered).to.include({ result: 'error', request_id: 'r0' });
    const refused = await agent.ws.request({ type: 'lease_acquire', task_id: 'task-x', paths: ['src/**'], request_id: 'r1' }, 'rate_limited');
    expect(refused).to.include({ frame: 'lease_acquire', request_id: 'r1', tier: 'normal', code: 'AC_ERR_RATE_LIMITED' });
  });

  it('does not schedule an agent with a recent denial', async () => {
    const limited = await hub.connectAgent('limited');
    await hub.http('PUT', '/api/admin/rate-limits/limited', { body: { light: { capacity: 1, refill_rate_per_min: 1 } } });
    await limited.ws.request({ type: 'ping' }, 'pong');
    await limited.ws.request({ type: 'ping' }, 'rate_limited');
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'not for the limited one' } });
    await sleep(300);
    expect(limited.ws.pending().map((frame) => frame.type)).not.to.include('task_assign');
    expect((await hub.http('GET', `/api/tasks/${submitted.body.task_id}`)).body.status).to.equal('queued');
    const other = await hub.connectAgent('well-behaved');
    expect((await other.ws.nextMessage('task_assign')).task_id).to.equal(submitted.body.task_id);
  });

  it('never disconnects a client that waits out retry_after_ms', async function () {
    this.timeout(20_000);
    const polite = await hub.connectAgent('polite');
    await hub.http('PUT', '/api/admin/rate-limits/polite', { body: { light: { capacity: 2, refill_rate_per_min: 60 } } });
    let denials = 0;
    let pongs = 0;
    while (pongs < 6) {
      polite.ws.send({ type: 'ping' });
      const answer = await polite.ws.nextMessage();
      if (answer.type === 'rate_limited') {
        denials++;
        await sleep(answer.retry_after_ms as number);
      } else if (answer.type === 'pong') {
        pongs++;
      }
    }
    expect(denials).to.be.greaterThan(0);
    expect(polite.ws.isClosed).to.equal(false);
  });
});

describe('wire: rate-limit overrides and whitelist', () => {
  it('keep across a restart, and the admin routes answer in the reference shapes', async () => {
    const data = makeTempDir('limits');
    try {
      let hub = await startTestHub({ data_dir: data.path, rate_limits: true });
      const put = await hub.http('PUT', '/api/admin/rate-limits/ci-1', { body: { heavy: { capacity: 30, refill_rate_per_min: 30 } } });
      expect(put.body).to.deep.equal({ status: 'updated', agent_id: 'ci-1', overrides: { heavy: { capacity: 30, refill_rate_per_min: 30 } } });
      expect((await hub.http('PUT', '/api/admin/rate-limits/ci-2', { body: {} })).body).to.include({ error: 'invalid_overrides', code: 'AC_ERR_VALIDATION' });
      expect((await hub.http('PUT', '/api/admin/rate-limits/whitelist', { body: { agent_ids: ['ops', 'ci-9'] } })).body)
        .to.deep.equal({ status: 'updated', whitelist: ['ops', 'ci-9'] });
      expect((await hub.http('POST', '/api/admin/rate-limits/whitelist', { body: { agent_id: 'deploy' } })).body)
        .to.deep.equal({ status: 'added', agent_id: 'deploy', whitelist: ['ops', 'ci-9', 'deploy'] });
      expect((await hub.http('DELETE', '/api/admin/rate-limits/whitelist/ci-9')).body).to.include({ status: 'removed', agent_id: 'ci-9' });
      const agentToken = await hub.register('nosy');
      expect((await hub.http('GET', '/api/admin/rate-limits', { token: agentToken })).status).to.equal(403);
      await hub.stop();

      hub = await startTestHub({ data_dir: data.path, rate_limits: true }, { adminToken: 'restart-admin-token' });
      const view = (await hub.http('GET', '/api/admin/rate-limits')).body;
      expect(view.defaults).to.deep.equal({
        light: { capacity: 120, refill_rate_per_min: 120 },
        normal: { capacity: 60, refill_rate_per_min: 60 },
        heavy: { capacity: 10, refill_rate_per_min: 10 },
      });
      expect(view.overrides).to.deep.equal({ 'ci-1': { heavy: { capacity: 30, refill_rate_per_min: 30 } } });
      expect(view.whitelist).to.deep.equal(['ops', 'deploy']);
      // The whitelisted agent is exempt after the restart.
      const ops = await hub.connectAgent('ops');
      for (let i = 0; i < 130; i++) ops.ws.send({ type: 'ping' });
      for (let i = 0; i < 130; i++) expect((await ops.ws.nextMessage()).type).to.equal('pong');
      expect((await hub.http('DELETE', '/api/admin/rate-limits/ci-1')).body).to.deep.equal({ status: 'removed', agent_id: 'ci-1' });
      await hub.stop();
    } finally {
      data.remove();
    }
  });
});

describe('agentcom limits', () => {
  it('sets, shows, exempts and clears over the admin routes', async function () {
    this.timeout(60_000);
    const hub = await startTestHub({ rate_limits: true });
    try {
      const auth = ['--hub', hub.url, '--token', hub.adminToken];
      const set = await cli(['limits', 'set', 'ci-runner', '--tier', 'normal', '--capacity', '600', '--refill', '600', ...auth]);
      expect(set.code, set.stderr).to.equal(0);
      expect((await cli(['limits', 'exempt', 'deploy-bot', ...auth])).stdout).to.equal('whitelist: deploy-bot\n');
      const shown = JSON.parse((await cli(['limits', 'show', '--json', ...auth])).stdout);
      expect(shown.overrides).to.deep.equal({ 'ci-runner': { normal: { capacity: 600, refill_rate_per_min: 600 } } });
      expect(shown.whitelist).to.deep.equal(['deploy-bot']);
      expect((await cli(['limits', 'clear', 'ci-runner', ...auth])).code).to.equal(0);
      expect((await hub.http('GET', '/api/admin/rate-limits')).body.overrides).to.deep.equal({});
    } finally {
      await hub.stop();
    }
  });
});

