import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { taskMachine } from '../../../machines/task-machine.ts';
import type { TaskMachineInput, TaskOutcome, TaskReclaimReason } from '../../../machines/task-machine.ts';
import { TaskTimers } from '../../../actors/task-timers.ts';
import { taskTimerActions } from '../../../actors/task-actor.ts';

const stuckAfterMs = 300_000;

function startTask(overrides: Partial<TaskMachineInput> = {}) {
  const clock = new SimulatedClock();
  // The machine's timer slots, kept as the hub keeps them (actors/task-timers.ts), on the simulated clock.
  const timers = new TaskTimers(clock);
  const reclaimRequests: Array<TaskReclaimReason | null> = [];
  const outcomes: TaskOutcome[] = [];
  const machine = taskMachine.provide({
    actions: {
      requestReclaim: ({ context }) => {
        reclaimRequests.push(context.reclaimReason);
      },
      recordOutcome: (_, params) => {
        outcomes.push(params.outcome);
      },
      ...taskTimerActions(timers),
    },
  });
  const input: TaskMachineInput = { taskId: 't1', agentId: 'agent-1', generation: 2, stuckAfterMs, overdueInMs: null, ...overrides };
  const actor = createActor(machine, { clock, input }).start();
  return { actor, clock, timers, reclaimRequests, outcomes };
}

function startWorking(overrides: Partial<TaskMachineInput> = {}) {
  const task = startTask(overrides);
  task.actor.send({ type: 'task.accepted' });
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

  it('moves to working when storage accepted the report', () => {
    const { actor } = startWorking();
    expect(actor.getSnapshot().value).to.equal('working');
  });

  for (const from of ['assigned', 'working'] as const) {
    const start = from === 'assigned' ? startTask : startWorking;
    const decisions = [
      [{ type: 'task.completed' }, 'completed'],
      [{ type: 'task.retried' }, 'requeued'],
      [{ type: 'task.dead_lettered' }, 'dead_letter'],
      [{ type: 'task.cancelled' }, 'cancelled'],
    ] as const;
    for (const [event, outcome] of decisions) {
      it(`ends in ${outcome} from ${from} when storage decided ${event.type}`, () => {
        const task = start();
        task.actor.send(event);
        expect(task.actor.getSnapshot().value).to.equal(outcome);
        // An ending, not a final state: the host stops the actor when recordOutcome runs.
        task.actor.send({ type: 'task.accepted' });
        expect(task.actor.getSnapshot().value).to.equal(outcome);
        expect(task.outcomes).to.deep.equal([outcome]);
        expect(task.reclaimRequests).to.deep.equal([]);
      });
    }

    it(`is reclaimed from ${from} with the reason storage decided it for`, () => {
      const task = start();
      task.actor.send({ type: 'task.reclaimed', reason: 'agent_disconnect' });
      expect(task.actor.getSnapshot().value).to.equal('reclaimed');
      expect(task.actor.getSnapshot().context.reclaimReason).to.equal('agent_disconnect');
      expect(task.outcomes).to.deep.equal(['reclaimed']);
      expect(task.reclaimRequests).to.deep.equal([]);
    });
  }

  it('asks for a reclaim as stuck when it is not accepted in time, and ends when storage reclaims it', () => {
    const task = startTask();
    task.clock.increment(stuckAfterMs - 1);
    expect(task.actor.getSnapshot().value).to.equal('assigned');
    task.clock.increment(1);
    expect(task.actor.getSnapshot().value).to.equal('reclaiming');
    expect(task.reclaimRequests).to.deep.equal(['stuck']);
    expect(task.outcomes).to.deep.equal([]);
    task.actor.send({ type: 'task.reclaimed', reason: 'stuck' });
    expect(task.actor.getSnapshot().value).to.equal('reclaimed');
    expect(task.outcomes).to.deep.equal(['reclaimed']);
  });

  it('takes a completion that storage committed before the reclaim it asked for', () => {
    const task = startWorking();
    task.clock.increment(stuckAfterMs);
    expect(task.actor.getSnapshot().value).to.equal('reclaiming');
    task.actor.send({ type: 'task.completed' });
    expect(task.actor.getSnapshot().value).to.equal('completed');
    expect(task.outcomes).to.deep.equal(['completed']);
  });

  it('restarts the stuck timer on accept', () => {
    const task = startTask();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.accepted' });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('working');
    task.clock.increment(10);
    expect(task.actor.getSnapshot().value).to.equal('reclaiming');
  });

  it('restarts the stuck timer on progress while assigned', () => {
    const task = startTask();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.progressed' });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('assigned');
  });

  it('restarts the stuck timer on progress while working', () => {
    const task = startWorking();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.progressed' });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('working');
    task.clock.increment(10);
    expect(task.reclaimRequests).to.deep.equal(['stuck']);
  });

  it('restarts the stuck timer when the assignee accepts again while working', () => {
    const task = startWorking();
    task.clock.increment(stuckAfterMs - 10);
    task.actor.send({ type: 'task.accepted' });
    task.clock.increment(stuckAfterMs - 10);
    expect(task.actor.getSnapshot().value).to.equal('working');
  });

  it('asks for a reclaim as overdue at its deadline, whatever its progress', () => {
    const task = startTask({ overdueInMs: 1000 });
    task.clock.increment(500);
    task.actor.send({ type: 'task.accepted' });
    task.actor.send({ type: 'task.progressed' });
    task.clock.increment(499);
    expect(task.actor.getSnapshot().value).to.equal('working');
    task.clock.increment(1);
    expect(task.actor.getSnapshot().value).to.equal('reclaiming');
    expect(task.reclaimRequests).to.deep.equal(['overdue']);
  });

  it('waits the rate limit out before a parked task counts as stuck, and restarts the timer on resume', () => {
    const task = startWorking();
    task.actor.send({ type: 'task.parked', forMs: 1000 });
    task.clock.increment(stuckAfterMs + 999);
    expect(task.actor.getSnapshot().value).to.equal('parked');
    task.actor.send({ type: 'task.resumed' });
    task.clock.increment(stuckAfterMs - 1);
    expect(task.actor.getSnapshot().value).to.equal('working');
    task.clock.increment(1);
    expect(task.reclaimRequests).to.deep.equal(['stuck']);
  });

  it('asks again as overdue when the deadline passes while a stuck reclaim is pending', () => {
    const task = startTask({ overdueInMs: stuckAfterMs + 10 });
    task.clock.increment(stuckAfterMs);
    task.clock.increment(10);
    expect(task.actor.getSnapshot().value).to.equal('reclaiming');
    expect(task.reclaimRequests).to.deep.equal(['stuck', 'overdue']);
  });

  it('never goes overdue without a deadline', () => {
    const task = startWorking({ overdueInMs: null });
    task.clock.increment(stuckAfterMs - 1);
    expect(task.actor.getSnapshot().value).to.equal('working');
    expect(task.reclaimRequests).to.deep.equal([]);
  });

  it('arms only the stuck timer without a deadline, and both with one', () => {
    const armed = ({ timers }: ReturnType<typeof startTask>) => [timers.stuck.size, timers.overdue.size];
    expect(armed(startTask({ overdueInMs: null }))).to.deep.equal([1, 0]);
    expect(armed(startTask({ overdueInMs: 1000 }))).to.deep.equal([1, 1]);
  });

  it('acts on no timer once it reached an ending', () => {
    const task = startWorking({ overdueInMs: 1000 });
    task.actor.send({ type: 'task.cancelled' });
    expect([task.timers.stuck.size, task.timers.overdue.size]).to.deep.equal([0, 0]);
    task.clock.increment(stuckAfterMs);
    expect(task.actor.getSnapshot().value).to.equal('cancelled');
    expect(task.outcomes).to.deep.equal(['cancelled']);
    expect(task.reclaimRequests).to.deep.equal([]);
  });
});
