// Extra path leases through the sidecar's request files, with a real hub on a free port and
// two real sidecar processes whose workers keep their tasks running. The test plays the agent:
// it writes <task_id>.lease.json in the agent's results dir and reads <task_id>.lease-result.json.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { sidecarBin, SidecarFleet, waitFor } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const hubTimings = { acceptance_timeout_ms: 3_000, stuck_after_ms: 60_000, sweep_interval_ms: 500 };

interface LeaseView { lease_id: string; task_id: string; agent_id: string; repo: string; paths: string[] }
interface LeaseResultFile {
  request_id: string;
  action: string | null;
  result: 'granted' | 'denied' | 'released' | 'error';
  lease?: LeaseView;
  holder?: LeaseView;
  code?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

describe('lease request files with real sidecars', function () {
  this.timeout(60_000);

  let hub: TestHub;
  let dir: TempDir;
  let fleet: SidecarFleet;
  /** The task that declared src/** (its own lease) and the one without paths, with the results dir of the agent running each. */
  let holder: { taskId: string; resultsDir: string };
  let asker: { taskId: string; resultsDir: string };

  const files = (of: { taskId: string; resultsDir: string }) => ({
    request: path.join(of.resultsDir, `${of.taskId}.lease.json`),
    result: path.join(of.resultsDir, `${of.taskId}.lease-result.json`),
    sent: path.join(of.resultsDir, `${of.taskId}.lease-sent.json`),
  });

  /** Writes a request as an agent should (whole, by rename), and waits for its result and the request file to go. */
  const request = async (of: { taskId: string; resultsDir: string }, text: string): Promise<LeaseResultFile> => {
    const { request: requestPath, result } = files(of);
    if (existsSync(result)) unlinkSync(result);
    const temp = `${of.resultsDir}.lease.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, requestPath);
    // As an agent would: the result file alone says the request is done and the next may be written.
    await waitFor(() => existsSync(result), 10_000, 'the lease result file');
    expect(existsSync(requestPath), 'the request file is removed before the result is written').to.equal(false);
    return JSON.parse(readFileSync(result, 'utf8')) as LeaseResultFile;
  };
  const leasesOf = async (taskId: string) => (await hub.http('GET', `/api/tasks/${taskId}`)).body.leases as LeaseView[];

  before(async () => {
    hub = await startTestHub(hubTimings);
    dir = makeTempDir('lease-files');
    fleet = new SidecarFleet(dir.path, hub);
    const agents = ['lease-file-agent-1', 'lease-file-agent-2'];
    for (const agentId of agents) fleet.start(agentId, fleet.writeConfig(agentId, await hub.register(agentId)));
    await waitFor(async () => {
      const { body } = await hub.http('GET', '/api/agents', { token: null });
      return (body.agents as Array<{ fsm_state: string }>).filter((agent) => agent.fsm_state === 'idle').length === agents.length;
    }, 20_000, 'sidecars to connect', 100);
    // Workers that outlast the test: both tasks stay assigned while their agents ask for leases.
    const created: string[] = [];
    for (const paths of [['src/**'], undefined]) {
      const { status, body } = await hub.http('POST', '/api/tasks', { body: { description: 'lease files', ...(paths ? { paths } : {}), metadata: { work_ms: 600_000 } } });
      expect(status).to.equal(201);
      created.push(body.task_id as string);
    }
    const assignees = new Map<string, string>();
    await waitFor(async () => {
      for (const taskId of created) {
        const { body } = await hub.http('GET', `/api/tasks/${taskId}`);
        if (body.status === 'assigned' && typeof body.assigned_to === 'string') assignees.set(taskId, body.assigned_to);
      }
      return assignees.size === created.length && fleet.runs().filter((run) => run.event === 'start').length === created.length;
    }, 20_000, 'both tasks to run', 100);
    const [holderTask, askerTask] = created as [string, string];
    holder = { taskId: holderTask, resultsDir: path.join(dir.path, assignees.get(holderTask)!, 'results') };
    asker = { taskId: askerTask, resultsDir: path.join(dir.path, assignees.get(askerTask)!, 'results') };
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs());
  });

  after(async () => {
    await fleet?.stopAll();
    await hub?.stop();
    dir?.remove();
  });

  let granted: LeaseView;

  it('grants an acquire and writes the lease for the agent', async () => {
    const answer = await request(asker, JSON.stringify({ action: 'acquire', paths: ['docs/**'], id: 'docs-1' }));
    expect(answer).to.include({ request_id: 'docs-1', action: 'acquire', result: 'granted' });
    granted = answer.lease!;
    expect(granted).to.include({ task_id: asker.taskId });
    expect(granted.lease_id).to.match(/^lease-/);
    expect(granted.paths).to.deep.equal(['docs/**']);
    expect((await leasesOf(asker.taskId)).map((lease) => lease.lease_id)).to.include(granted.lease_id);
  });

  it('denies an acquire that overlaps another task\'s lease, naming the holder', async () => {
    const answer = await request(asker, JSON.stringify({ action: 'acquire', paths: ['src/app.ts'] }));
    expect(answer).to.include({ action: 'acquire', result: 'denied' });
    expect(answer.request_id).to.match(/^lr-[0-9a-f]{16}$/);
    expect(answer.holder).to.include({ task_id: holder.taskId, lease_id: `task:${holder.taskId}` });
    expect(answer.holder!.paths).to.deep.equal(['src/**']);
    expect((await leasesOf(asker.taskId)).map((lease) => lease.lease_id)).to.deep.equal([granted.lease_id]);
  });

  it('releases a lease the agent holds', async () => {
    const answer = await request(asker, JSON.stringify({ action: 'release', lease_id: granted.lease_id }));
    expect(answer).to.include({ action: 'release', result: 'released' });
    expect(answer.lease).to.include({ lease_id: granted.lease_id });
    expect(await leasesOf(asker.taskId)).to.deep.equal([]);
  });

  it('passes on the hub\'s error for a lease the agent does not hold', async () => {
    const answer = await request(holder, JSON.stringify({ action: 'release', lease_id: `task:${holder.taskId}` }));
    expect(answer).to.include({ action: 'release', result: 'error', code: 'AC_ERR_LEASE_OF_TASK' });
  });

  /** `agentcom-sidecar lease …` as an agent runs it: its exit code and the JSON line it prints. */
  const leaseCli = (of: { taskId: string; resultsDir: string }, ...args: string[]) => new Promise<{ code: number; answer: LeaseResultFile }>((resolve, reject) => {
    execFile(process.execPath, [sidecarBin, 'lease', of.taskId, ...args, '--results-dir', of.resultsDir, '--timeout-ms', '20000'], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      try {
        resolve({ code, answer: JSON.parse(stdout) as LeaseResultFile });
      } catch {
        reject(new Error(`exit ${code}: ${stdout}${stderr}`));
      }
    });
  });

  it('agentcom-sidecar lease acquires, is denied and releases, answering with the lease result and its exit code', async () => {
    const granted = await leaseCli(asker, 'acquire', 'tools/**', 'scripts/*.sh');
    expect(granted.code).to.equal(0);
    expect(granted.answer).to.include({ action: 'acquire', result: 'granted' });
    expect(granted.answer.lease!.paths).to.deep.equal(['tools/**', 'scripts/*.sh']);
    const denied = await leaseCli(asker, 'acquire', 'src/main.ts');
    expect(denied.code).to.equal(2);
    expect(denied.answer).to.include({ result: 'denied' });
    expect(denied.answer.holder).to.include({ task_id: holder.taskId });
    const released = await leaseCli(asker, 'release', granted.answer.lease!.lease_id);
    expect(released.code).to.equal(0);
    expect(released.answer).to.include({ result: 'released' });
    expect(await leasesOf(asker.taskId)).to.deep.equal([]);
  });

  it('answers a malformed request at once with field errors, sending nothing', async () => {
    const climbing = await request(asker, JSON.stringify({ action: 'acquire', paths: ['../etc/**'] }));
    expect(climbing).to.include({ action: 'acquire', result: 'error', code: 'lease_request_invalid' });
    expect(climbing.errors?.map((error) => error.field)).to.include('paths.0');
    const notJson = await request(asker, '{"action":');
    expect(notJson).to.include({ result: 'error', code: 'lease_request_invalid', action: null });
    expect(notJson.detail).to.match(/not JSON/);
    const noAction = await request(asker, JSON.stringify({ paths: ['x/**'] }));
    expect(noAction.detail).to.match(/action must be/);
    expect(await leasesOf(asker.taskId)).to.deep.equal([]);
  });

  it('removes the lease files when the task ends', async () => {
    await request(asker, JSON.stringify({ action: 'acquire', paths: ['docs/**'] }));
    expect(existsSync(files(asker).result)).to.equal(true);
    const { status } = await hub.http('POST', `/api/tasks/${asker.taskId}/cancel`, { body: {} });
    expect(status).to.be.within(200, 299);
    await waitFor(() => !existsSync(files(asker).result), 10_000, 'the lease result file to be removed');
    expect(existsSync(files(asker).request)).to.equal(false);
    expect(existsSync(files(asker).sent)).to.equal(false);
  });
});
