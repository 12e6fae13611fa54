// The real pm2 (a devDependency, its own PM2_HOME in a temp dir): `agentcom agent add` clones the
// hub's default repository, starts the sidecar under pm2 and proves the agent works with the
// onboarding test task; a kill -9 of the sidecar is restarted by pm2 and the agent reconnects;
// `agentcom agent remove` stops it.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { SidecarFleet, waitFor } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');
const pm2Bin = path.resolve('node_modules/.bin/pm2');

describe('agentcom agent add / remove under the real pm2', function () {
  this.timeout(120_000);

  let hub: TestHub;
  let dir: TempDir;
  let fleet: SidecarFleet;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!existsSync(pm2Bin)) this.skip();
    hub = await startTestHub({ acceptance_timeout_ms: 5_000, sweep_interval_ms: 500 });
    dir = makeTempDir('pm2');
    fleet = new SidecarFleet(dir.path, hub);
    env = {
      ...process.env,
      PM2_HOME: path.join(dir.path, 'pm2-home'),
      PATH: [path.dirname(pm2Bin), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
      AGENTCOM_HUB_URL: hub.url,
      AGENTCOM_HOME: path.join(dir.path, 'agents'),
    };
    for (const name of ['AGENTCOM_TOKEN', 'AGENTCOM_ADMIN_TOKEN', 'pm_id', 'INVOCATION_ID']) delete env[name];
  });

  after(async () => {
    if (!env) return;
    try {
      execFileSync(pm2Bin, ['kill'], { env, stdio: 'ignore', timeout: 30_000 });
    } catch {
      // The daemon was not running.
    }
    await fleet.stopAll();
    await hub.stop();
    dir.remove();
  });

  const run = (file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
    execFile(file, args, { env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
  const sidecarPid = async (): Promise<number | null> => {
    const listed = await run(pm2Bin, ['jlist']);
    const apps = JSON.parse(listed.stdout.slice(listed.stdout.indexOf('['))) as Array<{ name: string; pid: number; pm2_env: { status: string } }>;
    const app = apps.find((entry) => entry.name === 'agentcom-pm2-agent');
    return app && app.pm2_env.status === 'online' && app.pid > 0 ? app.pid : null;
  };
  const agentState = async () => (await hub.http('GET', '/api/agents/pm2-agent/state')).body as { fsm_state?: string; connected_at?: number };

  it('adds, survives kill -9 and removes', async () => {
    // A default repository for the hub, which add clones into the agent's folder.
    const origin = path.join(dir.path, 'origin.git');
    const seed = path.join(dir.path, 'seed');
    const git = (cwd: string, ...args: string[]) => execFileSync('git', args, {
      cwd, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x.invalid' },
    });
    git(dir.path, 'init', '-q', '--bare', '-b', 'main', origin);
    git(dir.path, 'init', '-q', '-b', 'main', seed);
    writeFileSync(path.join(seed, 'README.md'), 'seed\n');
    git(seed, 'add', '.');
    git(seed, 'commit', '-q', '-m', 'seed');
    git(seed, 'push', '-q', origin, 'main');
    expect((await hub.http('PUT', '/api/config/default-repo', { body: { url: origin } })).status).to.equal(200);

    const wake = [process.execPath, fleet.workerPath, 'wake', fleet.workLogPath].join(' ');
    const added = await run(process.execPath, [cliBin, 'agent', 'add', '--name', 'PM2 Agent', '--wake-command', wake, '--test-timeout', '60']);
    expect(added.code, `${added.stdout}\n${added.stderr}`).to.equal(0);
    const agentDir = path.join(dir.path, 'agents', 'pm2-agent');
    expect(added.stdout).to.contain(`Cloned the hub's default repository ${origin} into ${path.join(agentDir, 'repo')}`);
    expect(added.stdout).to.contain('Started the sidecar under pm2 as agentcom-pm2-agent');
    expect(added.stdout).to.match(/pm2-agent works: it completed the onboarding test task task-[0-9a-f]+/);
    expect(existsSync(path.join(agentDir, 'repo', 'README.md'))).to.equal(true);
    expect(JSON.parse(readFileSync(path.join(agentDir, 'config.json'), 'utf8')).repo_dir).to.equal(path.join(agentDir, 'repo'));
    // Under pm2 the sidecar logs once, to stdout (pm2's file), not to its own log_file.
    expect(existsSync(path.join(agentDir, 'sidecar.log'))).to.equal(false);
    expect(readFileSync(path.join(agentDir, 'pm2-out.log'), 'utf8')).to.contain('"message":"identified"');

    const firstPid = await sidecarPid();
    expect(firstPid).to.be.a('number');
    const firstConnect = (await agentState()).connected_at;
    process.kill(firstPid!, 'SIGKILL');
    await waitFor(async () => {
      const pid = await sidecarPid();
      return pid !== null && pid !== firstPid;
    }, 30_000, 'pm2 to restart the sidecar', 250);
    await waitFor(async () => {
      const state = await agentState();
      return state.fsm_state === 'idle' && state.connected_at !== firstConnect;
    }, 30_000, 'the restarted sidecar to reconnect', 250);

    const removed = await run(process.execPath, [cliBin, 'agent', 'remove', 'pm2-agent']);
    expect(removed.code, `${removed.stdout}\n${removed.stderr}`).to.equal(0);
    expect(removed.stdout).to.contain('stop sidecar: done');
    expect(await sidecarPid()).to.equal(null);
    await waitFor(async () => (await agentState()).fsm_state !== 'idle', 10_000, 'the agent to go offline');
  });
});
