// Cancel reaches the agent: a real hub, a real sidecar and a long-running agent script.
// The cancel stops the agent's process, no result is reported or submitted, and the
// agent takes the next task at once instead of rejecting it as busy.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { SidecarFleet, waitFor, type SidecarProcess } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

// Works in the foreground for metadata.work_ms (the wake command is the agent), with a
// background child in the same process group, as an agent's tool calls would be.
const longAgentSource = `
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const [workLog] = process.argv.slice(2);
const taskId = process.env.AGENTCOM_TASK_ID;
const task = JSON.parse(process.env.AGENTCOM_TASK_JSON);
const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
appendFileSync(workLog, JSON.stringify({ event: 'start', task_id: taskId, pid: process.pid, helper_pid: helper.pid }) + '\\n');
writeFileSync(path.join(process.env.AGENTCOM_RESULTS_DIR, taskId + '.started'), '');
setTimeout(() => {
  writeFileSync(path.join(process.env.AGENTCOM_RESULTS_DIR, taskId + '.json'), JSON.stringify({ status: 'success', output: 'done' }));
  appendFileSync(workLog, JSON.stringify({ event: 'done', task_id: taskId, pid: process.pid }) + '\\n');
  helper.kill();
}, Number(task.metadata.work_ms ?? 100));
`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('cancel reaches the sidecar', function () {
  this.timeout(60_000);

  let hub: TestHub;
  let dir: TempDir;
  let fleet: SidecarFleet;
  let sidecar: SidecarProcess;
  let agentLog: string;

  beforeEach(async () => {
    // A long acceptance timeout: a free agent can only come from the sidecar's task_stopped.
    hub = await startTestHub({ acceptance_timeout_ms: 30_000, sweep_interval_ms: 500 });
    dir = makeTempDir('cancel');
    fleet = new SidecarFleet(dir.path, hub);
    const agentPath = path.join(dir.path, 'long-agent.mjs');
    agentLog = path.join(dir.path, 'agent.log');
    writeFileSync(agentPath, longAgentSource);
    writeFileSync(agentLog, '');
    const configPath = fleet.writeConfig('cancel-agent', await hub.register('cancel-agent'));
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(configPath, JSON.stringify({ ...config, wake_command: [process.execPath, agentPath, agentLog], wake_timeout_ms: 60_000 }));
    sidecar = fleet.start('cancel-agent', configPath);
    await waitFor(async () => (await agentState()) === 'idle', 20_000, 'the sidecar to connect', 100);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs());
    for (const run of runs()) for (const pid of [run.pid, run.helper_pid]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    await fleet.stopAll();
    await hub.stop();
    dir.remove();
  });

  const runs = () => readFileSync(agentLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as {
    event: string; task_id: string; pid: number; helper_pid?: number;
  });

  async function agentState(): Promise<string | undefined> {
    const { body } = await hub.http('GET', '/api/agents/cancel-agent/state');
    return body?.fsm_state as string | undefined;
  }

  async function submit(description: string, workMs: number): Promise<string> {
    const { status, body } = await hub.http('POST', '/api/tasks', { body: { description, metadata: { work_ms: workMs } } });
    expect(status).to.equal(201);
    return body.task_id as string;
  }

  it('stops the agent process group, reports nothing, and frees the agent for the next task', async () => {
    const longTask = await submit('a task that runs for a minute', 60_000);
    await waitFor(() => runs().some((run) => run.task_id === longTask), 15_000, 'the agent to start');
    const started = runs().find((run) => run.task_id === longTask)!;
    await waitFor(async () => (await agentState()) === 'working', 10_000, 'the agent to be working');

    const cancelled = await hub.http('POST', `/api/tasks/${longTask}/cancel`);
    expect(cancelled.status).to.equal(200);
    await waitFor(() => !alive(started.pid) && !alive(started.helper_pid!), 10_000, 'the agent and its helper to be stopped');
    await waitFor(async () => (await agentState()) === 'idle', 10_000, 'the sidecar to report it stopped');

    const queueFile = JSON.parse(readFileSync(path.join(dir.path, 'cancel-agent', 'queue.json'), 'utf8'));
    expect(queueFile.active).to.equal(null);
    expect(sidecar.running).to.equal(true);

    // The next task goes to the same agent at once and is not bounced as busy.
    const next = await submit('the next task', 100);
    await waitFor(async () => (await hub.http('GET', `/api/tasks/${next}`)).body.status === 'completed', 15_000, 'the next task to complete');
    const nextTask = (await hub.http('GET', `/api/tasks/${next}`)).body;
    expect(nextTask.history.map((entry: { event: string }) => entry.event)).to.not.include('reclaimed');

    const cancelledTask = (await hub.http('GET', `/api/tasks/${longTask}`)).body;
    expect(cancelledTask.status).to.equal('cancelled');
    expect(cancelledTask.result).to.equal(null);
    expect(runs().filter((run) => run.task_id === longTask && run.event === 'done')).to.deep.equal([]);
  });

  it('keeps the agent busy while its sidecar is stopping the work', async () => {
    const longTask = await submit('another long task', 60_000);
    await waitFor(async () => (await agentState()) === 'working', 15_000, 'the agent to be working');
    // SIGSTOP the sidecar: it cannot answer, so the hub must keep the agent out of scheduling.
    sidecar.child!.kill('SIGSTOP');
    try {
      await hub.http('POST', `/api/tasks/${longTask}/cancel`);
      await waitFor(async () => (await agentState()) === 'stopping', 5_000, 'the agent to be stopping');
      const queued = await submit('waits for a free agent', 100);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await hub.http('GET', `/api/tasks/${queued}`)).body.status).to.equal('queued');
    } finally {
      sidecar.child!.kill('SIGCONT');
    }
    await waitFor(async () => (await agentState()) !== 'stopping', 10_000, 'the sidecar to report it stopped');
  });
});
