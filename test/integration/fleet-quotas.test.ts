// Provider quotas and daily token budgets on a real hub: provider_limits caps the tasks out
// per provider across the fleet; a spent daily budget stops dispatch (running tasks finish) and alerts.
import { expect } from 'chai';
import { connectFleetAgent } from '../support/fleet-agent.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient } from '../support/ws-client.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fleet control: provider quotas and daily budgets', () => {
  let hub: TestHub;

  afterEach(async () => {
    await hub?.stop();
  });

  async function submit(description: string): Promise<string> {
    const submitted = await hub.http('POST', '/api/tasks', { body: { description } });
    expect(submitted.status).to.equal(201);
    return submitted.body.task_id as string;
  }

  it('caps concurrent tasks per provider across the fleet', async function () {
    this.timeout(20_000);
    hub = await startTestHub({ provider_limits: { anthropic: 2 } });
    const agents = await Promise.all(['a1', 'a2', 'a3'].map(async (id) => connectFleetAgent(hub.wsUrl, id, await hub.register(id), { provider: 'anthropic' })));
    const other = await connectFleetAgent(hub.wsUrl, 'o1', await hub.register('o1'), { provider: 'openai' });
    for (let i = 0; i < 5; i += 1) await submit(`t${i}`);
    await waitFor(async () => (await hub.http('GET', '/api/tasks?status=assigned')).body.count === 3, 5_000, 'three tasks out');
    await pause(300);
    const assigned = (await hub.http('GET', '/api/tasks?status=assigned')).body.tasks as Array<{ assigned_to: string }>;
    expect(assigned.filter((task) => task.assigned_to.startsWith('a'))).to.have.length(2);
    expect(assigned.map((task) => task.assigned_to)).to.include('o1');
    const providers = (await hub.http('GET', '/api/providers')).body.providers;
    expect(providers).to.deep.include({ provider: 'anthropic', limit: 2, in_use: 2, parked: 0, agents: 3 });

    // A slot frees: the provider gets its next task, and still no more than two are out.
    const busy = agents.filter((agent) => assigned.some((task) => task.assigned_to === agent.agentId));
    const first = await busy[0]!.takeTask();
    await busy[0]!.complete(first);
    await waitFor(async () => (await hub.http('GET', '/api/tasks?status=queued')).body.count === 1, 5_000, 'a fourth task out');
    await pause(300);
    const after = (await hub.http('GET', '/api/tasks?status=assigned')).body.tasks as Array<{ assigned_to: string }>;
    expect(after.filter((task) => task.assigned_to.startsWith('a'))).to.have.length(2);
    void other;
  });

  it('refuses a bad provider at identify with a field error', async () => {
    hub = await startTestHub();
    const token = await hub.register('bad');
    const ws = await WsTestClient.connect(hub.wsUrl);
    const refused = await ws.request({ type: 'identify', agent_id: 'bad', token, provider: 'Not A Provider!' }, 'error');
    expect(refused.code).to.equal('AC_ERR_VALIDATION');
    expect((refused.errors as Array<{ field: string }>)[0]).to.include({ field: 'provider' });
    await ws.close();
  });

  it('stops dispatch when a daily budget is spent, lets the running task finish, alerts, and resumes when raised', async function () {
    this.timeout(20_000);
    hub = await startTestHub({ daily_token_budgets: { agent_default: 1_000 } });
    const bad = await hub.http('PUT', '/api/budgets', { body: { fleet: 'lots' } });
    expect(bad.status).to.equal(422);
    expect(bad.body.errors[0]).to.include({ field: 'fleet' });

    const agent = await connectFleetAgent(hub.wsUrl, 'spender', await hub.register('spender'));
    await submit('first');
    const first = await agent.takeTask();
    await submit('second');
    // Progress is cumulative: 600 then 900 charge 900 in all, under the budget.
    agent.ws.send({ type: 'task_progress', task_id: first.task_id, generation: first.generation, tokens_used: 600 });
    agent.ws.send({ type: 'task_progress', task_id: first.task_id, generation: first.generation, tokens_used: 900 });
    await waitFor(async () => (await hub.http('GET', '/api/budgets')).body.agents.some((a: any) => a.agent_id === 'spender' && a.used_tokens === 900), 5_000, '900 charged');
    await agent.complete(first, 1_200);
    const budgets = (await hub.http('GET', '/api/budgets')).body;
    expect(budgets.agents.find((a: any) => a.agent_id === 'spender')).to.include({ used_tokens: 1_200, budget_tokens: 1_000, spent: true });
    expect(budgets.day).to.equal(new Date().toISOString().slice(0, 10));

    await pause(400);
    expect(agent.ws.pending().map((frame) => frame.type)).not.to.include('task_assign');
    await waitFor(async () => (await hub.http('GET', '/api/alerts')).body.alerts.some((alert: { rule_id: string }) => alert.rule_id === 'daily_budget_spent'), 5_000, 'budget alert');

    const raised = await hub.http('PUT', '/api/budgets', { body: { agents: { spender: 5_000 } } });
    expect(raised.status).to.equal(200);
    expect(raised.body.settings).to.deep.equal({ agent_default: 1_000, agents: { spender: 5_000 } });
    await agent.takeTask();

    // The fleet budget stops everyone.
    await hub.http('PUT', '/api/budgets', { body: { fleet: 1_000 } });
    await submit('third');
    await pause(400);
    expect(agent.ws.pending().map((frame) => frame.type)).not.to.include('task_assign');
  });
});
