// Fleet control with a real hub, a real sidecar process and a scripted agent:
//   - a task that passes its budget_tokens mid-task: the agent is stopped and the task dead-lettered (budget_exceeded);
//   - an agent rate-limited by its provider parks keeping its task and resumes the same task at `until`.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { SidecarFleet, waitFor } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

// The wake command is the agent. metadata.mode says what it does:
//   spend:      reports progress with a growing cumulative tokens_used until it is stopped;
//   rate_limit: first run writes a rate-limit file and exits; the resumed run (AGENTCOM_RESUME=1) succeeds.
const scriptedAgentSource = `
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const [workLog] = process.argv.slice(2);
const taskId = process.env.AGENTCOM_TASK_ID;
const resultsDir = process.env.AGENTCOM_RESULTS_DIR;
const task = JSON.parse(process.env.AGENTCOM_TASK_JSON);
const resumed = process.env.AGENTCOM_RESUME === '1';
const put = (name, text) => {
  const temp = path.join(path.dirname(resultsDir), name + '.' + process.pid + '.tmp');
  writeFileSync(temp, text);
  renameSync(temp, path.join(resultsDir, name));
};
appendFileSync(workLog, JSON.stringify({ event: 'start', task_id: taskId, pid: process.pid, resumed }) + '\\n');
put(taskId + '.started', '');
if (task.metadata.mode === 'spend') {
  let tokens = 0;
  setInterval(() => {
    tokens += 100;
    put(taskId + '.progress', JSON.stringify({ tokens_used: tokens }));
  }, 150);
} else if (task.metadata.mode === 'rate_limit' && !resumed) {
  put(taskId + '.rate_limited.json', JSON.stringify({ retry_after_ms: Number(task.metadata.wait_ms) }));
} else {
  put(taskId + '.json', JSON.stringify({ status: 'success', output: 'done', tokens_used: 7 }));
}
`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('fleet control with a real sidecar', function () {
  this.timeout(60_000);

  let hub: TestHub;
  let dir: TempDir;
  let fleet: SidecarFleet;
  let agentLog: string;

  beforeEach(async () => {
    hub = await startTestHub({ acceptance_timeout_ms: 30_000, sweep_interval_ms: 500, stuck_after_ms: 1_000 });
    dir = makeTempDir('fleet-control');
    fleet = new SidecarFleet(dir.path, hub);
    const agentPath = path.join(dir.path, 'scripted-agent.mjs');
    agentLog = path.join(dir.path, 'agent.log');
    writeFileSync(agentPath, scriptedAgentSource);
    writeFileSync(agentLog, '');
    const configPath = fleet.writeConfig('fc-agent', await hub.register('fc-agent'));
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(configPath, JSON.stringify({ ...config, wake_command: [process.execPath, agentPath, agentLog], wake_timeout_ms: 60_000, progress_interval_ms: 300 }));
    fleet.start('fc-agent', configPath);
    await waitFor(async () => (await agent())?.fsm_state === 'idle', 20_000, 'the sidecar to connect', 100);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs());
    for (const run of runs()) if (alive(run.pid)) process.kill(run.pid, 'SIGKILL');
    await fleet.stopAll();
    await hub.stop();
    dir.remove();
  });

  const runs = () => readFileSync(agentLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as {
    event: string; task_id: string; pid: number; resumed: boolean;
  });

  async function agent(): Promise<Record<string, any> | undefined> {
    const { body } = await hub.http('GET', '/api/dashboard/state');
    return (body.agents as Array<Record<string, any>>).find((each) => each.agent_id === 'fc-agent');
  }

  async function task(id: string): Promise<Record<string, any>> {
    return (await hub.http('GET', `/api/tasks/${id}`)).body;
  }

  it('stops the agent and dead-letters the task with budget_exceeded when it passes budget_tokens mid-task', async () => {
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'spend', metadata: { mode: 'spend' }, budget_tokens: 250, max_retries: 3 } });
    expect(submitted.status).to.equal(201);
    const id = submitted.body.task_id as string;
    await waitFor(async () => (await task(id)).status === 'dead_letter', 20_000, 'the task to be dead-lettered', 100);
    const dead = await task(id);
    expect(dead.last_error).to.match(/^budget_exceeded/);
    expect(dead.tokens_used).to.be.above(250);
    expect(dead.retry_count).to.equal(0);
    expect(dead.history[0]).to.deep.include({ event: 'dead_letter' });
    expect(dead.history[0].details.reason).to.equal('budget_exceeded');
    const [run] = runs();
    await waitFor(() => !alive(run!.pid), 10_000, 'the agent process to be stopped');
    await waitFor(async () => (await agent())?.fsm_state === 'idle', 10_000, 'the agent to be free again');
    const dead_letters = (await hub.http('GET', '/api/tasks/dead-letter')).body.tasks as Array<{ id: string }>;
    expect(dead_letters.map((each) => each.id)).to.include(id);
  });

  it('parks a rate-limited agent keeping its task, then resumes the same task at until', async () => {
    const submitted = await hub.http('POST', '/api/tasks', { body: { description: 'limited', metadata: { mode: 'rate_limit', wait_ms: 2_500 } } });
    const id = submitted.body.task_id as string;
    await waitFor(async () => (await agent())?.fsm_state === 'blocked', 15_000, 'the agent to park', 100);
    const parked = (await agent())!;
    expect(parked).to.include({ blocked_reason: 'rate_limited', current_task_id: id });
    const held = await task(id);
    expect(held).to.include({ status: 'assigned', assigned_to: 'fc-agent', generation: 1 });
    // Parked past stuck_after_ms (1 s): the task is kept, not reclaimed.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await task(id)).status).to.equal('assigned');

    await waitFor(async () => (await task(id)).status === 'completed', 20_000, 'the resumed task to complete', 100);
    const done = await task(id);
    expect(done.generation).to.equal(1);
    expect(done.history.map((entry: { event: string }) => entry.event)).not.to.include('reclaimed');
    expect(runs().map((run) => [run.task_id, run.resumed])).to.deep.equal([[id, false], [id, true]]);
    const providers = (await hub.http('GET', '/api/providers')).body.providers;
    expect(providers).to.deep.equal([]);
  });
});
