import { expect } from 'chai';
import { connect, startHubCore, type HubCore } from '../../support/hub-core.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const turns = async (count: number) => {
  for (let turn = 0; turn < count; turn += 1) await new Promise((resolve) => setImmediate(resolve));
};

// A claim commits the assignment, then a cancel commits; the hub side of the cancel may run first.
// Found by hub-events under load: the agent got task_assign for a cancelled task and no task_cancelled.
describe('a cancel that meets a claim in flight', () => {
  let core: HubCore;
  afterEach(async () => core?.stop());
  beforeEach(() => { core = startHubCore(); });

  // Each round cancels a few event-loop turns later, so the cancel lands before, during and after the claim.
  for (let round = 0; round < 12; round += 1) {
    it(`tells the agent, never hands it a cancelled task, and leaves it free for work (cancel after ${round} turns)`, async () => {
      const submitted = await core.hub.tasks.submitTask({ description: 'raced' }, null);
      if (!submitted.ok) throw new Error(submitted.detail);
      const taskId = submitted.value.task.id;
      const link = connect(core.hub, 'a1');
      await turns(round);
      const cancelled = await core.hub.tasks.cancelTask(taskId);
      expect(cancelled.ok).to.equal(true);
      await settle();
      const frames = link.sent.filter((frame) => frame.task_id === taskId).map((frame) => frame.type);
      const wasAssigned = core.hub.tasks.getTask(taskId)?.history.some((entry) => entry.event === 'assigned');
      // Assigned before the cancel: the agent is told, after the task_assign if that went out at all.
      expect(frames.join(',')).to.be.oneOf(wasAssigned ? ['task_assign,task_cancelled', 'task_cancelled'] : ['']);
      expect(core.hub.tasks.getTask(taskId)?.status).to.equal('cancelled');
      if (frames[0] === 'task_assign') core.hub.reports.taskStopped('a1', taskId);
      const next = await core.hub.tasks.submitTask({ description: 'next' }, null);
      if (!next.ok) throw new Error(next.detail);
      const assign = await link.next('task_assign');
      const nextAssign = assign.task_id === taskId ? await link.next('task_assign') : assign;
      expect(nextAssign.task_id).to.equal(next.value.task.id);
    });
  }
});
