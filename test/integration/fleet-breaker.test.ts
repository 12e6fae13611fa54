// The agent breaker on a real hub: consecutive failures block the agent (not scheduled,
// an alert fires); an operator's unblock or the cooldown clears it.
import { expect } from 'chai';
import { agentView, connectFleetAgent } from '../support/fleet-agent.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';

describe('fleet control: agent breaker', () => {
  let hub: TestHub;

  afterEach(async () => {
    await hub?.stop();
  });

  async function submit(description: string) {
    const submitted = await hub.http('POST', '/api/tasks', { body: { description, max_retries: 0 } });
    expect(submitted.status).to.equal(201);
    return submitted.body.task_id as string;
  }

  it('trips after breaker_failures failures in a row, holds work back, alerts, and clears on unblock', async function () {
    this.timeout(20_000);
    hub = await startTestHub({ breaker_failures: 2, breaker_cooldown_ms: 0 });
    const agent = await connectFleetAgent(hub.wsUrl, 'flaky', await hub.register('flaky'));
    await submit('one');
    await agent.fail(await agent.takeTask());
    expect((await agentView(hub, 'flaky'))!.consecutive_failures).to.equal(1);
    await submit('two');
    await agent.fail(await agent.takeTask());

    const blocked = (await agentView(hub, 'flaky'))!;
    expect(blocked).to.include({ fsm_state: 'blocked', blocked_reason: 'breaker', blocked_until: null, consecutive_failures: 2 });
    await waitFor(async () => (await hub.http('GET', '/api/alerts')).body.alerts.some((alert: { rule_id: string }) => alert.rule_id === 'agent_breaker_open'), 5_000, 'breaker alert');

    const held = await submit('three');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await hub.http('GET', `/api/tasks/${held}`)).body.status).to.equal('queued');
    expect(agent.ws.pending().map((frame) => frame.type)).not.to.include('task_assign');

    const wrong = await hub.http('POST', '/api/agents/nobody/unblock');
    expect(wrong.status).to.equal(404);
    const unblocked = await hub.http('POST', '/api/agents/flaky/unblock');
    expect(unblocked.status).to.equal(200);
    const task = await agent.takeTask();
    expect(task.task_id).to.equal(held);
    const again = await hub.http('POST', '/api/agents/flaky/unblock');
    expect(again.status).to.equal(409);
    expect(again.body.code).to.equal('AC_ERR_AGENT_NOT_BLOCKED');
    // A completion resets the count.
    await agent.complete(task);
    const view = (await agentView(hub, 'flaky'))!;
    expect(view.fsm_state).to.equal('idle');
    expect(view.consecutive_failures).to.equal(undefined);
  });

  it('lifts by itself after breaker_cooldown_ms', async function () {
    this.timeout(20_000);
    hub = await startTestHub({ breaker_failures: 1, breaker_cooldown_ms: 1_500 });
    const agent = await connectFleetAgent(hub.wsUrl, 'cool', await hub.register('cool'));
    await submit('fails');
    await agent.fail(await agent.takeTask());
    const blocked = (await agentView(hub, 'cool'))!;
    expect(blocked.fsm_state).to.equal('blocked');
    expect(blocked.blocked_until).to.be.a('number');
    const next = await submit('after the cooldown');
    const task = await agent.takeTask(5_000);
    expect(task.task_id).to.equal(next);
  });
});
