// Approval gates and agents' questions end to end: a real hub process (`agentcom start`,
// killed with SIGKILL and restarted on the same data dir and port), a real sidecar process,
// and an agent command that writes its question file and waits for the answer file.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { sidecarBin, SidecarFleet, waitFor, type SidecarProcess } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const cli = fileURLToPath(new URL('../../runtime/bin/agentcom.mjs', import.meta.url));
const adminToken = 'approvals-e2e-admin-token-0123456789abcdef';

// Detached like a real agent (it outlives a killed sidecar). With metadata.question it asks with
// `agentcom-sidecar ask` (question file in, answer file out); its result carries the answer.
const agentSource = `
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const [mode, workLog] = process.argv.slice(2);
if (mode === 'wake') {
  spawn(process.execPath, [process.argv[1], 'work', workLog], { detached: true, stdio: 'ignore' }).unref();
  process.exit(0);
}
const taskId = process.env.AGENTCOM_TASK_ID;
const resultsDir = process.env.AGENTCOM_RESULTS_DIR;
const task = JSON.parse(process.env.AGENTCOM_TASK_JSON);
const log = (event, extra = {}) => appendFileSync(workLog, JSON.stringify({ event, task_id: taskId, pid: process.pid, at: Date.now(), ...extra }) + '\\n');
const put = (name, text) => {
  const temp = path.join(path.dirname(resultsDir), name + '.' + process.pid + '.tmp');
  writeFileSync(temp, text);
  renameSync(temp, path.join(resultsDir, name));
};
log('start');
put(taskId + '.started', '');
const question = task.metadata?.question;
if (!question) {
  put(taskId + '.json', JSON.stringify({ status: 'success', output: 'done' }));
  log('done');
  process.exit(0);
}
log('asked');
// The real CLI an agent would use: writes the question file, waits for the answer file, prints it.
// Bounded: when the test stops the sidecar mid-question, this agent dies and must not leave an \`ask\` polling forever.
const asked = spawnSync(process.execPath, [${JSON.stringify(sidecarBin)}, 'ask', taskId, question, '--option', 'yes', '--option', 'no', '--timeout-ms', '90000'], { encoding: 'utf8', timeout: 100000 });
const answer = JSON.parse(asked.stdout);
log('answered', { answer });
put(taskId + '.json', JSON.stringify({ status: 'success', output: 'answer: ' + answer.answer }));
log('done');
`;

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = (server.address() as AddressInfo);
    server.close(() => resolve(port));
  });
});

interface Run { event: string; task_id: string; pid: number; answer?: { answer?: string; approval_id?: string } }

describe('approval gates and agent questions (real hub process, real sidecar)', function () {
  this.timeout(120_000);

  let dir: TempDir;
  let port: number;
  let hub: HubProcess;
  let hubUrl: string;
  let fleet: SidecarFleet;
  let sidecar: SidecarProcess;
  let agentToken: string;
  let configPath: string;
  const hubs: HubProcess[] = [];

  const startHub = async () => {
    hub = spawnHub(['--port', String(port), '--data-dir', path.join(dir.path, 'data'), '--config', path.join(dir.path, 'hub.json')], {
      AGENTCOM_ADMIN_TOKEN: adminToken,
    });
    hubs.push(hub);
    hubUrl = (await hub.ready()).url;
  };

  const api = async (method: string, route: string, body?: unknown, token: string = adminToken): Promise<{ status: number; body: any }> => {
    let response: Response;
    try {
      response = await fetch(`${hubUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      // A kept-alive connection the hub closed while a slow child process ran: a read is safe to send again.
      if (method !== 'GET') throw error;
      response = await fetch(`${hubUrl}${route}`, { headers: { authorization: `Bearer ${token}` } });
    }
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
  };

  const runs = (): Run[] => readFileSync(fleet.workLogPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Run);
  const agentState = async () => (await api('GET', '/api/agents/asker/state')).body?.fsm_state as string | undefined;
  const taskOf = async (id: string) => (await api('GET', `/api/tasks/${id}`)).body;
  const submit = async (body: Record<string, unknown>) => {
    const submitted = await api('POST', '/api/tasks', { description: 'gated work', ...body });
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(201);
    return submitted.body.task_id as string;
  };
  const pendingQuestions = async () => (await api('GET', '/api/approvals?status=pending')).body.approvals as Array<Record<string, any>>;

  beforeEach(async () => {
    dir = makeTempDir('approvals-e2e');
    port = await freePort();
    writeFileSync(path.join(dir.path, 'hub.json'), JSON.stringify({ rate_limits: false, sweep_interval_ms: 500, log_level: 'info' }));
    await startHub();
    fleet = new SidecarFleet(dir.path, { url: hubUrl, wsUrl: `${hubUrl.replace(/^http/, 'ws')}/ws` });
    writeFileSync(fleet.workerPath, agentSource);
    agentToken = (await api('POST', '/api/onboard/register', { agent_id: 'asker' })).body.token as string;
    configPath = fleet.writeConfig('asker', agentToken);
    sidecar = fleet.start('asker', configPath);
    await waitFor(async () => (await agentState()) === 'idle', 20_000, 'the sidecar to connect', 100);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs(), hub.stdout().slice(-3000), hub.stderr().slice(-3000));
    await fleet.stopAll();
    for (const each of hubs.splice(0)) {
      each.kill('SIGKILL');
      await each.exited();
    }
    dir.remove();
  });

  it('never assigns a gated task before approval; approved with the CLI, it runs on the real agent', async () => {
    const gated = await submit({ requires_approval: true });
    const plain = await submit({ description: 'ungated work' });
    await waitFor(async () => (await taskOf(plain)).status === 'completed', 20_000, 'the ungated task to complete');
    // The agent is idle and connected, and the gated task still waits.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await agentState()).to.equal('idle');
    expect((await taskOf(gated)).status).to.equal('awaiting_approval');
    expect(runs().filter((run) => run.task_id === gated)).to.deep.equal([]);
    const inbox = (await api('GET', '/api/approvals')).body;
    expect(inbox.tasks_awaiting_approval.map((task: { id: string }) => task.id)).to.deep.equal([gated]);
    expect((await api('GET', '/api/tasks/stats')).body.by_status.awaiting_approval).to.equal(1);

    // Only an operator decides: an agent token is refused and nothing changes.
    const byAgent = await api('POST', `/api/tasks/${gated}/approve`, {}, agentToken);
    expect(byAgent.status).to.equal(403);
    expect((await taskOf(gated)).status).to.equal('awaiting_approval');

    const approved = spawnSync(process.execPath, [cli, 'tasks', 'approve', gated, '--note', 'ship it', '--hub', hubUrl, '--token', adminToken], { encoding: 'utf8' });
    expect(approved.status, approved.stderr).to.equal(0);
    expect(approved.stdout).to.match(new RegExp(`${gated} approved, now (queued|assigned)`));
    await waitFor(async () => (await taskOf(gated)).status === 'completed', 20_000, 'the approved task to complete');
    const done = await taskOf(gated);
    expect(done.approval).to.include({ decision: 'approved', decided_by: 'admin:env', reason: 'ship it' });
    const events = done.history.map((entry: { event: string }) => entry.event).reverse();
    expect(events.slice(0, 3)).to.deep.equal(['awaiting_approval', 'approved', 'assigned']);
  });

  it('rejects a gated task: cancelled with reason rejected, never run; bad input is a field error that changes nothing', async () => {
    const gated = await submit({ requires_approval: true });
    const noReason = await api('POST', `/api/tasks/${gated}/reject`, {});
    expect(noReason.status).to.equal(422);
    expect(noReason.body.errors[0]).to.include({ field: 'reason', error: 'required' });
    expect((await taskOf(gated)).status).to.equal('awaiting_approval');

    const rejected = spawnSync(process.execPath, [cli, 'tasks', 'reject', gated, '--reason', 'touches prod', '--hub', hubUrl, '--token', adminToken], { encoding: 'utf8' });
    expect(rejected.status, rejected.stderr).to.equal(0);
    const task = await taskOf(gated);
    expect(task).to.include({ status: 'cancelled', last_error: 'rejected: touches prod' });
    expect(task.approval).to.include({ decision: 'rejected', reason: 'touches prod' });
    const again = await api('POST', `/api/tasks/${gated}/approve`, {});
    expect(again.status).to.equal(409);
    expect(again.body.code).to.equal('AC_ERR_INVALID_STATE');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs().filter((run) => run.task_id === gated)).to.deep.equal([]);
  });

  it("answers an agent's question end to end: question.json → approval_request → inbox → answer → answer.json", async () => {
    const asking = await submit({ description: 'asks first', metadata: { question: 'May I drop the old table?' } });
    await waitFor(async () => (await pendingQuestions()).length === 1, 20_000, 'the question to reach the inbox');
    const [question] = await pendingQuestions();
    expect(question).to.include({ task_id: asking, agent_id: 'asker', question: 'May I drop the old table?', status: 'pending' });
    expect(question.options).to.deep.equal(['yes', 'no']);
    expect((await taskOf(asking)).status).to.equal('assigned');

    const empty = await api('POST', `/api/approvals/${question.id}`, { answer: '' });
    expect(empty.status).to.equal(422);
    const answered = await api('POST', `/api/approvals/${question.id}`, { answer: 'yes' });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    expect(answered.body).to.include({ status: 'answered', answer: 'yes', answered_by: 'admin:env' });

    await waitFor(async () => (await taskOf(asking)).status === 'completed', 20_000, 'the task to complete with the answer');
    expect((await taskOf(asking)).result.output).to.equal('answer: yes');
    expect(runs().find((run) => run.event === 'answered')?.answer).to.include({ approval_id: question.id, answer: 'yes' });

    const twice = await api('POST', `/api/approvals/${question.id}`, { answer: 'no' });
    expect(twice.status).to.equal(409);
    expect(twice.body.code).to.equal('AC_ERR_APPROVAL_ANSWERED');
    expect((await api('GET', '/api/approvals?status=answered')).body.approvals.map((a: { id: string }) => a.id)).to.deep.equal([question.id]);
  });

  it('an answer to a question whose task ended is a structured error, and the question is closed', async () => {
    const asking = await submit({ metadata: { question: 'Proceed?' } });
    await waitFor(async () => (await pendingQuestions()).length === 1, 20_000, 'the question to reach the inbox');
    const [question] = await pendingQuestions();
    expect((await api('POST', `/api/tasks/${asking}/cancel`)).status).to.equal(200);
    await waitFor(async () => (await pendingQuestions()).length === 0, 10_000, 'the question to close with its task');
    const late = await api('POST', `/api/approvals/${question.id}`, { answer: 'yes' });
    expect(late.status).to.equal(409);
    expect(late.body).to.include({ code: 'AC_ERR_APPROVAL_TASK_ENDED', approval_id: question.id });
    expect((await api('GET', `/api/approvals/${question.id}`)).body).to.include({ status: 'closed', closed_reason: 'cancelled' });
    expect((await api('POST', '/api/approvals/appr-nope', { answer: 'x' })).body.code).to.equal('AC_ERR_APPROVAL_NOT_FOUND');
  });

  it('kill -9 of the hub keeps a gated task awaiting and a pending question pending; both go on after the restart', async () => {
    const asking = await submit({ description: 'asks, then the hub dies', metadata: { question: 'Rotate the keys?' } });
    await waitFor(async () => (await pendingQuestions()).length === 1, 20_000, 'the question to reach the inbox');
    const [question] = await pendingQuestions();
    const gated = await submit({ requires_approval: true, description: 'gated across a crash' });

    hub.kill('SIGKILL');
    await hub.exited();
    await startHub();

    expect((await taskOf(gated)).status).to.equal('awaiting_approval');
    expect((await taskOf(asking)).status).to.equal('assigned');
    // The sidecar reconnects and asks again: the same approval, not a second one.
    await waitFor(async () => (await agentState()) === 'working' || (await agentState()) === 'assigned', 20_000, 'the sidecar to come back');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await pendingQuestions();
    expect(after.map((each) => each.id)).to.deep.equal([question.id]);

    expect((await api('POST', `/api/approvals/${question.id}`, { answer: 'no' })).status).to.equal(200);
    await waitFor(async () => (await taskOf(asking)).status === 'completed', 20_000, 'the asking task to complete');
    expect((await taskOf(asking)).result.output).to.equal('answer: no');

    expect((await api('POST', `/api/tasks/${gated}/approve`, {})).status).to.equal(200);
    await waitFor(async () => (await taskOf(gated)).status === 'completed', 20_000, 'the gated task to complete');
  });

  it('an answer given while the agent is away reaches it when its sidecar comes back (hub and sidecar killed)', async () => {
    const asking = await submit({ metadata: { question: 'Merge now?' } });
    await waitFor(async () => (await pendingQuestions()).length === 1, 20_000, 'the question to reach the inbox');
    const [question] = await pendingQuestions();
    // Both die; the hub comes back first and keeps the task assigned to the absent agent
    // for its acceptance timeout, so the operator can answer before the sidecar is back.
    // The hub first: a sidecar that closes its socket to a live hub gives its task back at once.
    hub.kill('SIGKILL');
    await hub.exited();
    await sidecar.kill();
    await startHub();
    expect(await agentState()).to.equal('offline');
    expect((await taskOf(asking)).status).to.equal('assigned');
    const answered = await api('POST', `/api/approvals/${question.id}`, { answer: 'later' });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);

    sidecar = fleet.start('asker', configPath);
    await waitFor(async () => (await taskOf(asking)).status === 'completed', 30_000, 'the task to complete after the sidecar came back');
    expect((await taskOf(asking)).result.output).to.equal('answer: later');
    expect((await api('GET', '/api/approvals?status=all')).body.approvals).to.have.length(1);
  });
});
