// The no-progress flag on a real hub: progress reports that show no change for
// no_progress_after_ms flag the task on its agent's card and in the metrics; a change clears it.
import { expect } from 'chai';
import { agentView, connectFleetAgent } from '../support/fleet-agent.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';

describe('fleet control: no-progress flag', () => {
  let hub: TestHub;

  afterEach(async () => {
    await hub?.stop();
  });

  it('flags a task whose progress shows no change, and clears the flag when it moves', async function () {
    this.timeout(20_000);
    hub = await startTestHub({ no_progress_after_ms: 400, sweep_interval_ms: 100 });
    const agent = await connectFleetAgent(hub.wsUrl, 'stuckish', await hub.register('stuckish'));
    await hub.http('POST', '/api/tasks', { body: { description: 'slow' } });
    const task = await agent.takeTask();
    const report = (progress: number) => agent.ws.send({ type: 'task_progress', task_id: task.task_id, generation: task.generation, progress, tokens_used: 10 });
    report(1);
    const keepAlive = setInterval(() => report(1), 100);
    try {
      await waitFor(async () => typeof (await agentView(hub, 'stuckish'))?.no_progress_since === 'number', 5_000, 'the no-progress flag');
      const metrics = await hub.http('GET', '/metrics');
      expect(String(metrics.body)).to.match(/agentcom_tasks_no_progress_total(\{[^}]*\})? 1/);
    } finally {
      clearInterval(keepAlive);
    }
    report(2);
    await waitFor(async () => (await agentView(hub, 'stuckish'))?.no_progress_since === undefined, 5_000, 'the flag to clear');
    expect((await hub.http('GET', `/api/tasks/${String(task.task_id)}`)).body.status).to.equal('assigned');
  });
});
