import { expect } from 'chai';
import { connect, startHubCore, type HubCore } from '../../support/hub-core.ts';

// The agent's snapshot is kept for the next run when a change reaches what a restart restores
// from it (the Done count, the flags), and not at the other transitions of a task.
describe('agent actor: the snapshot kept for the next run', () => {
  let core: HubCore;
  afterEach(async () => core?.stop());

  it('is written after a completion, with the Done count, and not after the assignment or the accept', async () => {
    core = startHubCore({}, { keepSnapshots: true });
    const { hub, store } = core;
    const kept = async () => {
      await store.flushed();
      return core.snapshots!.get('agent:keeper') as { value: string; context: { tasksCompleted: number; currentTask: unknown } } | undefined;
    };
    const link = connect(hub, 'keeper');
    const submitted = await hub.tasks.submitTask({ description: 'job' }, null);
    expect(submitted.ok).to.equal(true);
    const assign = await link.next('task_assign', 1000);
    const report = { agentId: 'keeper', taskId: assign.task_id as string, generation: assign.generation as number };
    expect((await hub.reports.taskAccepted(report)).ok).to.equal(true);
    expect(await kept()).to.equal(undefined);
    expect((await hub.reports.taskCompleted(report, {}, null)).ok).to.equal(true);
    const afterCompletion = await kept();
    expect(afterCompletion?.value).to.equal('idle');
    expect(afterCompletion?.context).to.include({ tasksCompleted: 1, currentTask: null });
    expect(afterCompletion).to.deep.equal(hub.agents.get('keeper')!.actor.getPersistedSnapshot());
  });
});
