// kill -9 in the middle of fleet control: a tripped breaker, a parked agent with its task,
// the daily budgets and the day's usage all survive, read back from LMDB by the next hub.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectFleetAgent } from '../support/fleet-agent.ts';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const adminToken = 'fleet-control-kill-admin-token-0123456789';

describe('fleet control survives kill -9', function () {
  this.timeout(60_000);
  let dir: TempDir;
  let hub: HubProcess | null = null;

  afterEach(async () => {
    if (hub && hub.child.exitCode === null) {
      hub.kill('SIGKILL');
      await hub.exited();
    }
    dir?.remove();
  });

  async function start(configPath: string, dataDir: string): Promise<string> {
    hub = spawnHub(['--port', '0', '--data-dir', dataDir, '--config', configPath], { AGENTCOM_ADMIN_TOKEN: adminToken });
    const { url } = await hub.ready();
    return url;
  }

  async function call(url: string, method: string, route: string, body?: unknown): Promise<any> {
    const response = await fetch(`${url}${route}`, {
      method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  it('keeps breakers, parked agents with their tasks, and budgets with their usage', async () => {
    dir = makeTempDir('fleet-kill');
    const dataDir = path.join(dir.path, 'data');
    const configPath = path.join(dir.path, 'config.json');
    writeFileSync(configPath, JSON.stringify({ breaker_failures: 1, breaker_cooldown_ms: 0, log_level: 'error', rate_limits: false }));
    let url = await start(configPath, dataDir);
    const wsUrl = () => `${url.replace('http', 'ws')}/ws`;
    const brkToken = (await call(url, 'POST', '/api/onboard/register', { agent_id: 'brk' })).body.token;
    const parkToken = (await call(url, 'POST', '/api/onboard/register', { agent_id: 'park' })).body.token;
    expect((await call(url, 'PUT', '/api/budgets', { fleet: 100_000, agents: { park: 50_000 } })).status).to.equal(200);

    const brk = await connectFleetAgent(wsUrl(), 'brk', brkToken);
    await call(url, 'POST', '/api/tasks', { description: 'fails', max_retries: 0 });
    await brk.fail(await brk.takeTask());
    await brk.ws.close();

    const park = await connectFleetAgent(wsUrl(), 'park', parkToken, { provider: 'anthropic' });
    const taskId = (await call(url, 'POST', '/api/tasks', { description: 'parks' })).body.task_id;
    const task = await park.takeTask();
    expect(task.task_id).to.equal(taskId);
    park.ws.send({ type: 'task_progress', task_id: taskId, generation: task.generation, tokens_used: 700 });
    const until = Date.now() + 60_000;
    const parked = await park.ws.request({ type: 'agent_rate_limited', task_id: taskId, generation: task.generation, until }, 'task_ack');
    expect(parked.status).to.equal('parked');
    await waitFor(async () => (await call(url, 'GET', '/api/budgets')).body.fleet.used_tokens === 700, 5_000, 'tokens charged');

    hub!.kill('SIGKILL');
    await hub!.exited();
    url = await start(configPath, dataDir);

    const back = await connectFleetAgent(wsUrl(), 'park', parkToken, { provider: 'anthropic' });
    const brkBack = await connectFleetAgent(wsUrl(), 'brk', brkToken);
    const agents = (await call(url, 'GET', '/api/dashboard/state')).body.agents as Array<Record<string, any>>;
    expect(agents.find((agent) => agent.agent_id === 'brk')).to.include({ fsm_state: 'blocked', blocked_reason: 'breaker' });
    expect(agents.find((agent) => agent.agent_id === 'park')).to.include({ fsm_state: 'blocked', blocked_reason: 'rate_limited', blocked_until: until, current_task_id: taskId });
    const kept = (await call(url, 'GET', `/api/tasks/${taskId}`)).body;
    expect(kept).to.include({ status: 'assigned', assigned_to: 'park', generation: task.generation, tokens_used: 700 });
    const budgets = (await call(url, 'GET', '/api/budgets')).body;
    expect(budgets.settings).to.deep.equal({ fleet: 100_000, agents: { park: 50_000 } });
    expect(budgets.fleet.used_tokens).to.equal(700);
    expect((await call(url, 'GET', '/api/providers')).body.providers).to.deep.equal([{ provider: 'anthropic', limit: null, in_use: 1, parked: 1, agents: 1 }]);

    // The breaker still holds work back until an operator lifts it.
    await call(url, 'POST', '/api/tasks', { description: 'waits for brk', max_retries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(brkBack.ws.pending().map((frame) => frame.type)).not.to.include('task_assign');
    expect((await call(url, 'POST', '/api/agents/brk/unblock')).status).to.equal(200);
    await brkBack.takeTask();
    await back.ws.close();
    await brkBack.ws.close();
  });
});
