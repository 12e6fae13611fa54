import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { taskMachine } from '../../../machines/task-machine.ts';
import type { ReportRejection, TaskMachineInput, TaskOutcome } from '../../../machines/task-machine.ts';

const stuckAfterMs = 300_000;

function startTask(overrides: Partial<TaskMachineInput> = {}) {
  const clock = new SimulatedClock();
  const rejections: ReportRejection[] = [];
  const outcomes: TaskOutcome[] = [];
  const machine = taskMachine.provide({
    actions: {
      rejectReport: (_, params) => {
        rejections.push(params.reason);
      },
      recordOutcome: (_, params) => {
        outcomes.push(params.outcome);
      },
    },
  });
  const input: TaskMachineInput = {
    taskId: 't1',
    agentId: 'agent-1',
    generation: 2,
    retryCount: 0,
    maxRetries: 3,
    stuckAfterMs,
    overdueInMs: null,
    ...overrides,
  };
  const actor = createActor(machine, { clock, input }).start();
  return { actor, clock, rejections, outcomes };
}

function startWorking(overrides: Partial<TaskMachineInput> = {}) {
  const task = startTask(overrides);
  task.actor.send({ type: 'task.accepted', agentId: 'agent-1', generation: 2 });
  return task;
}

describe('taskMachine', () => {
  it('starts assigned, awaiting the accept', () => {
    const { actor } = startTask();
    expect(actor.getSnapshot().value).to.equal('assigned');
  });

  it('resumes straight into working when the task was already accepted', () => {
    const { actor } = startTask({ accepted: true });
    expect(actor.getSnapshot().value).to.equal('working');
  });

  it('moves to working when the assignee accepts', () => {
    const { actor } = startWorking();
    expect(actor.getSnapshot().value).to.equal('working');
  });

  it('accepts an accept that carries no generation', () => {
    const { actor } = startTask();
    actor.send({ type: 'task.accepted', agentId: 'agent-1' });
    expect(actor.getSnapshot().value).to.equal('working');
  });

  it('refuses an accept from another agent as not_assignee', () => {
    const task = startTask();
    task.actor.send({ type: 'task.accepted', agentId: 'agent-2', generation: 2 });
    expect(task.actor.getSnapshot().value).to.equal('assigned');
    expect(task.rejections).to.deep.equal(['not_assignee']);
  });

  it('refuses an accept with another generation as stale_generation', () => {
    const task = startTask();
    task.actor.send({ type: 'task.accepted', agentId: 'agent-1', generation: 1 });
    expect(task.actor.getSnapshot().value).to.equal('assigned');
    expect(task.rejections).to.deep.equal(['stale_generation']);
  });

  it('checks the assignee before the generation', () => {
    const task = startTask();
    task.actor.send({ type: 'task.complete', agentId: 'agent-2', generation: 9 });
    expect(task.rejections).to.deep.equal(['not_assignee']);
  });

  it('completes when the assignee reports the current generation, keeping result and tokens', () => {
    const task = startWorking();
    task.actor.send({ type: 'task.complete', agentId: 'agent-1', generation: 2, result: { ok: true }, tokensUsed: 120 });
    const snapshot = task.actor.getSnapshot();
    expect(snapshot.value).to.equal('completed');
    expect(snapshot.status).to.equal('done');
    expect(snapshot.context.result).to.deep.equal({ ok: true });
    expect(snapshot.context.tokensUsed).to.equal(120);
    expect(task.outcomes).to.deep.equal(['completed']);
  });

  it('takes tokens used from the result when the report has none', () => {
    const task = startWorking();
    task.actor.send({ type: 'task.complete', agentId: 'agent-1', generation: 2, result: { tokens_used: 42 } });
    expect(task.actor.getSnapshot().context.tokensUsed).to.equal(42);
  });

  it('completes a task that was never accepted', () => {
    const task = startTask();
    task.actor.send({ type: 'task.complete', agentId: 'agent-1', generation: 2 });
    expect(task.actor.getSnapshot().value).to.equal('completed');
  });

  it('counts a missing generation on complete as 0 and refuses it as stale', () => {
    const task = startWorking();
    task.actor.send({ type: 'task.complete', agentId: 'agent-1' });
    expect(task.actor.getSnapshot().value).to.equal('working');
    expect(task.rejections).to.deep.equal(['stale_generation']);
    expect(task.outcomes).to.deep.equal([]);
  });

  it('accepts a missing generation on complete when the task is at generation 0', () => {
    const task = startTask({ generation: 0 });
    task.actor.send({ type: 'task.complete', agentId: 'agent-1' });
    expect(task.actor.getSnapshot().value).to.equal('completed');
  });

  it('refuses a complete from another agent as not_assignee', () => {
    const task = startWorking();
    task.actor.send({ type: 'task.complete', agentId: 'agent-2', generation: 2 });
    expect(task.actor.getSnapshot().value).to.equal('working');
    expect(task.rejections).to.deep.equal(['not_assignee']);
  });

  it('requeues a failed task that has retries left', () => {
    const task = startWorking({ retryCount: 1, maxRetries: 3 });
    task.actor.send({ type: 'task.fail', agentId: 'agent-1', generation: 2, error: 'tests red' });
    const snapshot = task.actor.getSnapshot();
    expect(snapshot.value).to.equal('requeued');
    expect(snapshot.context.lastError).to.equal('tests red');
    expect(task.outcomes).to.deep.equal(['requeued']);
  });

  it('dead-letters a failed task on its last retry', () => {
    const task = startWorking({ retryCount: 2, maxRetries: 3 });
    task.actor.send({ type: 'task.fail', agentId: 'agent-1', generation: 2, error: 'tests red' });
    expect(task.actor.getSnapshot().value).to.equal('dead_letter');
    expect(task.outcomes).to.deep.equal(['dead_letter']);
  });

  it('fails a task that was never accepted', () => {
    const task = startTask();
    task.actor.send({ type: 'task.fail', agentId: 'agent-1', generation: 2, error: 'no' });
    expect(task.actor.getSnapshot().value).to.equal('requeued');
  });

  it('refuses a fail with a stale generation or from another agent', () => {
    const task = startWorking();
    task.actor.send({ type: 'task.fail', agentId: 'agent-1', generation: 1, error: 'late' });
    task.actor.send({ type: 'task.fail', agentId: 'agent-1', error: 'no generation' });
    task.actor.send({ type: 'task.fail', agentId: 'agent-2', generation: 2, error: 'not mine' });
    expect(task.actor.getSnapshot().value).to.equal('working');
    expect(task.rejections).to.deep.equal(['stale_generation', 'stale_generation', 'not_assignee']);
  });

  it('reclaims a task as stuck when it is not accepted in time', () => {
    const task = startTask();
    task.clock.increment(stuckAfterMs - 1);
    expect(task.actor.getSnapshot().value).to.equal('assigned');
    task.clock.increment(1);
    expect(task.actor.getSnapshot().value).to.equal('reclaimed');
    expect(task.actor.getSnapshot().context.reclaimReason).to.equal('stuck');
    expect(task.outcomes).to.deep.equal(['reclaimed']);
  });

  it('restarts the stuck timer on accept', () => {
    const task = startTask();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.accepted', agentId: 'agent-1', generation: 2 });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('working');
    task.clock.increment(10);
    expect(task.actor.getSnapshot().value).to.equal('reclaimed');
  });

  it('restarts the stuck timer on progress while assigned', () => {
    const task = startTask();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.progress', agentId: 'agent-1' });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('assigned');
  });

  it('restarts the stuck timer on progress while working', () => {
    const task = startWorking();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.progress', agentId: 'agent-1', generation: 2 });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('working');
    task.clock.increment(10);
    expect(task.actor.getSnapshot().context.reclaimReason).to.equal('stuck');
  });

  it('restarts the stuck timer when the assignee accepts again while working', () => {
    const task = startWorking();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.accepted', agentId: 'agent-1', generation: 2 });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('working');
    expect(task.rejections).to.deep.equal([]);
  });

  it('does not let fenced progress restart the stuck timer', () => {
    const task = startWorking();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.progress', agentId: 'agent-2' });
    task.actor.send({ type: 'task.progress', agentId: 'agent-1', generation: 1 });
    task.actor.send({ type: 'task.accepted', agentId: 'agent-2' });
    task.clock.increment(10);
    expect(task.actor.getSnapshot().value).to.equal('reclaimed');
    expect(task.rejections).to.deep.equal(['not_assignee', 'stale_generation', 'not_assignee']);
  });

  it('refuses progress while assigned from another agent or generation', () => {
    const task = startTask();
    task.actor.send({ type: 'task.progress', agentId: 'agent-2' });
    task.actor.send({ type: 'task.progress', agentId: 'agent-1', generation: 3 });
    expect(task.rejections).to.deep.equal(['not_assignee', 'stale_generation']);
  });

  it('reclaims a task as overdue at its deadline, whatever its progress', () => {
    const task = startTask({ overdueInMs: 1000 });
    task.clock.increment(500);
    task.actor.send({ type: 'task.accepted', agentId: 'agent-1', generation: 2 });
    task.actor.send({ type: 'task.progress', agentId: 'agent-1', generation: 2 });
    task.clock.increment(499);
    expect(task.actor.getSnapshot().value).to.equal('working');
    task.clock.increment(1);
    expect(task.actor.getSnapshot().value).to.equal('reclaimed');
    expect(task.actor.getSnapshot().context.reclaimReason).to.equal('overdue');
  });

  it('never goes overdue without a deadline', () => {
    const task = startWorking({ overdueInMs: null });
    task.clock.increment(stuckAfterMs - 1);
    expect(task.actor.getSnapshot().value).to.equal('working');
    expect(task.outcomes).to.deep.equal([]);
  });

  for (const from of ['assigned', 'working'] as const) {
    it(`is reclaimed from ${from} with the reason it is given`, () => {
      const task = from === 'assigned' ? startTask() : startWorking();
      task.actor.send({ type: 'task.reclaim', reason: 'agent_disconnect' });
      expect(task.actor.getSnapshot().value).to.equal('reclaimed');
      expect(task.actor.getSnapshot().context.reclaimReason).to.equal('agent_disconnect');
      expect(task.outcomes).to.deep.equal(['reclaimed']);
    });

    it(`is cancelled from ${from}`, () => {
      const task = from === 'assigned' ? startTask() : startWorking();
      task.actor.send({ type: 'task.cancel' });
      expect(task.actor.getSnapshot().value).to.equal('cancelled');
      expect(task.actor.getSnapshot().status).to.equal('done');
      expect(task.outcomes).to.deep.equal(['cancelled']);
    });
  }

  it('stops its timers once it reaches a final state', () => {
    const task = startWorking({ overdueInMs: 1000 });
    task.actor.send({ type: 'task.cancel' });
    task.clock.increment(stuckAfterMs);
    expect(task.actor.getSnapshot().value).to.equal('cancelled');
    expect(task.outcomes).to.deep.equal(['cancelled']);
  });
});
