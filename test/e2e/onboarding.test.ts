// Onboarding end to end: the real `agentcom` CLI against a real hub, then a real
// sidecar started from the config it wrote, then teardown.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { addAgent } from '../../runtime/cli/agent-add.ts';
import { cultureShipNames, slugOf } from '../../runtime/culture-names.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { SidecarFleet, sidecarBin, waitFor } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('agentcom agent add / remove and submit', function () {
  this.timeout(60_000);

  let hub: TestHub;
  let dir: TempDir;
  let fleet: SidecarFleet;
  let agentsDir: string;
  /** Holds only a fake pm2 when a test puts one there; prepended to PATH. */
  let binDir: string;

  beforeEach(async () => {
    hub = await startTestHub({ acceptance_timeout_ms: 3_000, sweep_interval_ms: 500 });
    dir = makeTempDir('onboarding');
    fleet = new SidecarFleet(dir.path, hub);
    agentsDir = path.join(dir.path, 'agents');
    binDir = path.join(dir.path, 'bin');
    mkdirSync(binDir);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs());
    await fleet.stopAll();
    await hub.stop();
    dir.remove();
  });

  function cli(...args: string[]): Promise<CliRun> {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: [binDir, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter) };
    for (const name of ['AGENTCOM_TOKEN', 'AGENTCOM_ADMIN_TOKEN', 'AGENTCOM_HUB_URL', 'AGENTCOM_HOME']) delete env[name];
    return new Promise((resolve) => {
      execFile(process.execPath, [cliBin, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  function cliJson(run: CliRun): any {
    expect(run.code, `exit code; stderr: ${run.stderr}`).to.equal(0);
    return JSON.parse(run.stdout);
  }

  async function tokenCountOf(agentId: string): Promise<number> {
    const { body } = await hub.http('GET', '/admin/tokens');
    return (body.tokens as Array<{ agent_id: string | null }>).filter((token) => token.agent_id === agentId).length;
  }

  it('adds an agent, runs a submitted task on its sidecar, removes it, and the old token is refused', async () => {
    const wakeCommand = `'${process.execPath}' '${fleet.workerPath}' wake '${fleet.workLogPath}'`;
    const added = cliJson(await cli(
      'agent', 'add', '--name', 'So Much For Subtlety', '--capabilities', 'code, review',
      '--hub', hub.url, '--dir', agentsDir, '--wake-command', wakeCommand, '--no-start', '--json',
    ));
    expect(added).to.include({ status: 'created', agent_id: 'so-much-for-subtlety', name: 'So Much For Subtlety' });
    expect(added.start).to.deep.equal({ how: 'not_requested' });

    const configPath = path.join(agentsDir, 'so-much-for-subtlety', 'config.json');
    expect(added.config_path).to.equal(configPath);
    expect(statSync(configPath).mode & 0o777, 'config mode').to.equal(0o600);
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(config).to.include({ agent_id: 'so-much-for-subtlety', hub_url: hub.wsUrl, hub_api_url: hub.url, wake_command: wakeCommand });
    expect(config.capabilities).to.deep.equal(['code', 'review']);
    expect(added.start_commands.foreground).to.equal(`node ${sidecarBin} --config ${configPath}`);

    fleet.start('so-much-for-subtlety', configPath);
    await waitFor(async () => {
      const { body } = await hub.http('GET', '/api/agents', { token: null });
      return body.agents.some((agent: { agent_id: string; fsm_state: string }) => agent.agent_id === 'so-much-for-subtlety' && agent.fsm_state === 'idle');
    }, 20_000, 'the sidecar to connect', 100);

    const submitted = cliJson(await cli(
      'submit', 'write the onboarding notes', '--hub', hub.url, '--token', config.token,
      '--priority', 'high', '--capability', 'code', '--metadata', '{"work_ms":100}', '--json',
    ));
    expect(submitted.task_id).to.match(/^task-[0-9a-f]{16}$/);
    let task: any;
    await waitFor(async () => {
      task = (await hub.http('GET', `/api/tasks/${submitted.task_id}`)).body;
      return task.status === 'completed';
    }, 20_000, 'the task to complete', 100);
    expect(task).to.include({ assigned_to: 'so-much-for-subtlety', priority: 1, submitted_by: 'so-much-for-subtlety' });
    expect(task.needed_capabilities).to.deep.equal(['code']);
    expect(task.result.output).to.equal('done by so-much-for-subtlety');

    const removed = await cli('agent', 'remove', 'so-much-for-subtlety', '--dir', agentsDir, '--json');
    const report = cliJson(removed);
    expect(report.ok).to.equal(true);
    expect(report.steps.map((step: { step: string; outcome: string }) => `${step.step}:${step.outcome}`)).to.deep.equal([
      'stop_sidecar:skipped', 'revoke_token:done', 'remove_config:done',
    ]);
    expect(existsSync(path.dirname(configPath)), 'config folder').to.equal(false);

    const refused = await hub.http('GET', '/api/tasks', { token: config.token });
    expect(refused.status).to.equal(401);
    // The hub closed the sidecar's socket on revocation, and its reconnects are refused.
    await waitFor(async () => {
      const { body } = await hub.http('GET', '/api/agents', { token: null });
      return !body.agents.some((agent: { agent_id: string }) => agent.agent_id === 'so-much-for-subtlety');
    }, 10_000, 'the agent to leave the connected list', 100);
  });

  it('remove puts the task the agent was working on back in the queue', async () => {
    const added = cliJson(await cli('agent', 'add', '--name', 'Problem Child', '--hub', hub.url, '--dir', agentsDir, '--no-start', '--json'));
    const config = JSON.parse(readFileSync(added.config_path, 'utf8'));
    writeFileSync(added.config_path, JSON.stringify({ ...config, ...fleet.wakeSettings() }));
    fleet.start('problem-child', added.config_path);

    const { body: submitted } = await hub.http('POST', '/api/tasks', { body: { description: 'a long one', metadata: { work_ms: 30_000 } } });
    await waitFor(async () => (await hub.http('GET', `/api/tasks/${submitted.task_id}`)).body.accepted_at !== null, 20_000, 'the task to be accepted', 100);

    const removed = await cli('agent', 'remove', 'problem-child', '--dir', agentsDir);
    expect(removed.code, removed.stderr).to.equal(0);
    await waitFor(async () => (await hub.http('GET', `/api/tasks/${submitted.task_id}`)).body.status === 'queued', 10_000, 'the task to be requeued', 100);
    const { body: task } = await hub.http('GET', `/api/tasks/${submitted.task_id}`);
    expect(task.assigned_to).to.equal(null);
    expect(task.generation).to.be.above(1);
  });

  it('running agent add twice with one name makes one agent and keeps the first token', async () => {
    const first = cliJson(await cli('agent', 'add', '--name', 'Grey Area', '--hub', hub.url, '--dir', agentsDir, '--no-start', '--json'));
    expect(first.status).to.equal('created');
    const configPath = first.config_path as string;
    const written = readFileSync(configPath, 'utf8');

    const second = await cli('agent', 'add', '--name', 'Grey Area', '--hub', hub.url, '--dir', agentsDir, '--no-start');
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.contain('grey-area is already set up').and.contain('Nothing changed');
    expect(readFileSync(configPath, 'utf8')).to.equal(written);
    expect(await tokenCountOf('grey-area')).to.equal(1);
  });

  it('registers again when the saved token was revoked, and refuses a name registered elsewhere', async () => {
    const first = cliJson(await cli('agent', 'add', '--name', 'Killing Time', '--hub', hub.url, '--dir', agentsDir, '--no-start', '--json'));
    const oldToken = JSON.parse(readFileSync(first.config_path, 'utf8')).token as string;
    expect((await hub.http('DELETE', '/admin/tokens/killing-time')).status).to.equal(200);

    const again = cliJson(await cli('agent', 'add', '--name', 'Killing Time', '--hub', hub.url, '--dir', agentsDir, '--no-start', '--json'));
    expect(again.status).to.equal('created');
    expect(JSON.parse(readFileSync(first.config_path, 'utf8')).token).to.not.equal(oldToken);
    expect(await tokenCountOf('killing-time')).to.equal(1);

    await hub.register('limiting-factor');
    const taken = await cli('agent', 'add', '--name', 'Limiting Factor', '--hub', hub.url, '--dir', agentsDir, '--no-start');
    expect(taken.code).to.equal(1);
    expect(taken.stderr).to.contain('limiting-factor is already registered');
    expect(existsSync(path.join(agentsDir, 'limiting-factor'))).to.equal(false);
  });

  it('starts the sidecar under pm2 when pm2 is on PATH, and remove deletes the pm2 process', async () => {
    const pm2Log = path.join(dir.path, 'pm2.log');
    const fakePm2 = path.join(binDir, 'pm2');
    writeFileSync(fakePm2, `#!/bin/sh\nprintf '%s|%s|%s\\n' "$*" "$AGENTCOM_SIDECAR_NAME" "$AGENTCOM_SIDECAR_CONFIG" >> '${pm2Log}'\n`);
    chmodSync(fakePm2, 0o755);

    const added = await cli('agent', 'add', '--name', 'Sleeper Service', '--hub', hub.url, '--dir', agentsDir, '--skip-test');
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.contain('Started the sidecar under pm2 as agentcom-sleeper-service');
    const configPath = path.join(agentsDir, 'sleeper-service', 'config.json');
    const ecosystem = path.resolve('sidecar/ecosystem.config.cjs');
    expect(readFileSync(pm2Log, 'utf8')).to.equal(`start ${ecosystem}|agentcom-sleeper-service|${configPath}\n`);

    const removed = await cli('agent', 'remove', 'sleeper-service', '--dir', agentsDir);
    expect(removed.code, removed.stderr).to.equal(0);
    expect(removed.stdout).to.contain('stop sidecar: done (stopped and deleted pm2 process agentcom-sleeper-service)');
    expect(readFileSync(pm2Log, 'utf8').split('\n')[1]).to.equal('delete agentcom-sleeper-service||');
  });

  it('prints the exact command when pm2 is not installed', async () => {
    const added = await cli('agent', 'add', '--name', 'Xenophobe', '--hub', hub.url, '--dir', agentsDir);
    expect(added.code, added.stderr).to.equal(0);
    const configPath = path.join(agentsDir, 'xenophobe', 'config.json');
    expect(added.stdout).to.contain('pm2 is not installed').and.contain(`  node ${sidecarBin} --config ${configPath}\n`);
  });

  it('picks a free Culture ship name, trying the next after a 409', async () => {
    // Math.random() = 0 picks the first free name: make that one taken on the hub only.
    const [firstName, secondName] = cultureShipNames;
    await hub.register(slugOf(firstName!));
    const random = Math.random;
    Math.random = () => 0;
    try {
      const result = await addAgent({ hubUrl: hub.url, agentsDir, capabilities: [], start: false });
      expect(result.ok && result.value).to.include({ status: 'created', agent_id: slugOf(secondName!), name: secondName });
    } finally {
      Math.random = random;
    }
  });

  it('submit refuses bad input before calling the hub', async () => {
    const noToken = await cli('submit', 'x', '--hub', hub.url);
    expect(noToken.code).to.equal(1);
    expect(noToken.stderr).to.contain('no token');
    const badMetadata = await cli('submit', 'x', '--hub', hub.url, '--token', hub.adminToken, '--metadata', '[1]');
    expect(badMetadata.stderr).to.contain('--metadata must be a JSON object');
    const badPriority = await cli('submit', 'x', '--hub', hub.url, '--token', hub.adminToken, '--priority', 'whenever');
    expect(badPriority.code).to.not.equal(0);
    const badRetries = await cli('submit', 'x', '--hub', hub.url, '--token', hub.adminToken, '--max-retries', 'two');
    expect(badRetries.stderr).to.contain('--max-retries must be a whole number');
    const plain = await cli('submit', 'due soon', '--hub', hub.url, '--token', hub.adminToken, '--complete-by', '2030-01-02T03:04:05Z', '--target', 'grey-area');
    expect(plain.code, plain.stderr).to.equal(0);
    const taskId = plain.stdout.trim();
    const { body: task } = await hub.http('GET', `/api/tasks/${taskId}`);
    expect(task).to.include({ complete_by: Date.parse('2030-01-02T03:04:05Z'), priority: 2 });
    expect(task.metadata).to.deep.equal({ target_agent: 'grey-area' });
  });
});
