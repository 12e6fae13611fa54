// The fleet-control CLI commands against a real hub, run through the bin: submit with a
// token budget, budgets show and set, agents unblock.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { connectFleetAgent } from '../support/fleet-agent.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');

describe('agentcom fleet-control commands', function () {
  // Seven CLI processes: each start costs seconds on a loaded machine.
  this.timeout(180_000);
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({ breaker_failures: 1, breaker_cooldown_ms: 0 });
  });
  after(async () => {
    await hub.stop();
  });

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, AGENTCOM_HUB_URL: hub.url, AGENTCOM_TOKEN: hub.adminToken };
    delete env.AGENTCOM_ADMIN_TOKEN;
    return new Promise((resolve) => {
      execFile(process.execPath, [cliBin, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  it('submits with --budget-tokens, sets and shows budgets, and unblocks an agent', async () => {
    const submitted = await cli('submit', 'on a budget', '--budget-tokens', '5000', '--max-retries', '0');
    expect(submitted.code, submitted.stderr).to.equal(0);
    expect((await hub.http('GET', `/api/tasks/${submitted.stdout.trim()}`)).body.budget_tokens).to.equal(5000);

    const set = await cli('budgets', 'set', '--fleet', '900000', '--agent', 'cli-agent=1000');
    expect(set.code, set.stderr).to.equal(0);
    const wrong = await cli('budgets', 'set', '--fleet', 'lots');
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.contain('--fleet');
    const shown = await cli('budgets', 'show');
    expect(shown.stdout).to.match(/fleet\s+900000\s+0/);
    expect(shown.stdout).to.match(/cli-agent\s+1000\s+0/);

    const agent = await connectFleetAgent(hub.wsUrl, 'cli-agent', await hub.register('cli-agent'));
    await agent.fail(await agent.takeTask());
    const unblocked = await cli('agents', 'unblock', 'cli-agent');
    expect(unblocked.code, unblocked.stderr).to.equal(0);
    expect(unblocked.stdout).to.equal('unblocked cli-agent: now idle\n');
    const again = await cli('agents', 'unblock', 'cli-agent');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('AC_ERR_AGENT_NOT_BLOCKED');
    await agent.ws.close();
  });
});
