import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { agentMachine } from '../../../machines/agent-machine.ts';
import type { AgentReclaimReason, AgentTaskRef } from '../../../machines/agent-machine.ts';
import { agentTimerActions } from '../../../actors/agent-actor.ts';

const acceptanceTimeoutMs = 60_000;

interface Reclaim {
  reason: AgentReclaimReason;
  task: AgentTaskRef | null;
}

function startAgent() {
  const clock = new SimulatedClock();
  const reclaims: Reclaim[] = [];
  let idleAnnouncements = 0;
  const machine = agentMachine.provide({
    actions: {
      // The timer slots as the hub fills them (actors/agent-actor.ts), on the simulated clock.
      ...agentTimerActions(clock),
      reclaimCurrentTask: ({ context }, params) => {
        reclaims.push({ reason: params.reason, task: context.currentTask });
      },
      announceIdle: () => {
        idleAnnouncements += 1;
      },
    },
  });
  const actor = createActor(machine, {
    clock,
    input: { agentId: 'agent-1', acceptanceTimeoutMs },
  }).start();
  return { actor, clock, reclaims, idleAnnouncements: () => idleAnnouncements };
}

function startWorking() {
  const agent = startAgent();
  agent.actor.send({ type: 'agent.connected' });
  agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
  agent.actor.send({ type: 'task.accepted', taskId: 't1' });
  return agent;
}

describe('agentMachine', () => {
  it('starts offline with no task, no flags and no completions', () => {
    const { actor } = startAgent();
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).to.equal('offline');
    expect(snapshot.context).to.deep.include({ agentId: 'agent-1', currentTask: null, flags: [], tasksCompleted: 0 });
  });

  it('goes idle on connect and announces itself', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    expect(agent.actor.getSnapshot().value).to.equal('idle');
    expect(agent.idleAnnouncements()).to.equal(1);
  });

  it('resumes into assigned when it reconnects holding an assigned task', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected', resume: { taskId: 't9', generation: 4 } });
    expect(agent.actor.getSnapshot().value).to.equal('assigned');
    expect(agent.actor.getSnapshot().context.currentTask).to.deep.equal({ taskId: 't9', generation: 4 });
    expect(agent.idleAnnouncements()).to.equal(0);
  });

  it('arms a fresh acceptance timer for a resumed task', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected', resume: { taskId: 't9', generation: 4 } });
    agent.clock.increment(acceptanceTimeoutMs);
    expect(agent.actor.getSnapshot().value).to.equal('idle');
    expect(agent.reclaims).to.deep.equal([{ reason: 'acceptance_timeout', task: { taskId: 't9', generation: 4 } }]);
  });

  it('moves from idle to assigned when given a task', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 2 });
    expect(agent.actor.getSnapshot().value).to.equal('assigned');
    expect(agent.actor.getSnapshot().context.currentTask).to.deep.equal({ taskId: 't1', generation: 2 });
  });

  it('ignores a task assignment while offline', () => {
    const { actor } = startAgent();
    actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
    expect(actor.getSnapshot().value).to.equal('offline');
    expect(actor.getSnapshot().context.currentTask).to.equal(null);
  });

  it('moves from assigned to working when the current task is accepted', () => {
    const agent = startWorking();
    expect(agent.actor.getSnapshot().value).to.equal('working');
  });

  it('ignores an accept for a task it does not hold', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
    agent.actor.send({ type: 'task.accepted', taskId: 'other' });
    expect(agent.actor.getSnapshot().value).to.equal('assigned');
  });

  it('returns to idle, flags itself unresponsive and reclaims the task when no accept comes in time', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
    agent.clock.increment(acceptanceTimeoutMs - 1);
    expect(agent.actor.getSnapshot().value).to.equal('assigned');
    agent.clock.increment(1);
    const snapshot = agent.actor.getSnapshot();
    expect(snapshot.value).to.equal('idle');
    expect(snapshot.context.flags).to.deep.equal(['unresponsive']);
    expect(snapshot.context.currentTask).to.equal(null);
    expect(agent.reclaims).to.deep.equal([{ reason: 'acceptance_timeout', task: { taskId: 't1', generation: 1 } }]);
    expect(agent.idleAnnouncements()).to.equal(2);
  });

  it('does not time out a task that was accepted in time', () => {
    const agent = startWorking();
    agent.clock.increment(acceptanceTimeoutMs * 2);
    expect(agent.actor.getSnapshot().value).to.equal('working');
    expect(agent.reclaims).to.deep.equal([]);
  });

  it('clears the unresponsive flag when it next accepts a task', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
    agent.clock.increment(acceptanceTimeoutMs);
    agent.actor.send({ type: 'task.assigned', taskId: 't2', generation: 1 });
    agent.clock.increment(acceptanceTimeoutMs);
    expect(agent.actor.getSnapshot().context.flags).to.deep.equal(['unresponsive']);
    agent.actor.send({ type: 'task.assigned', taskId: 't3', generation: 1 });
    agent.actor.send({ type: 'task.accepted', taskId: 't3' });
    expect(agent.actor.getSnapshot().context.flags).to.deep.equal([]);
  });

  it('returns to idle and counts a completion when the current task completes', () => {
    const agent = startWorking();
    agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'completed' });
    const snapshot = agent.actor.getSnapshot();
    expect(snapshot.value).to.equal('idle');
    expect(snapshot.context.tasksCompleted).to.equal(1);
    expect(snapshot.context.currentTask).to.equal(null);
  });

  it('returns to idle without counting a completion when the current task fails', () => {
    const agent = startWorking();
    agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'failed' });
    expect(agent.actor.getSnapshot().value).to.equal('idle');
    expect(agent.actor.getSnapshot().context.tasksCompleted).to.equal(0);
  });

  it('returns to idle when a task finishes before it was accepted', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
    agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'completed' });
    expect(agent.actor.getSnapshot().value).to.equal('idle');
    expect(agent.actor.getSnapshot().context.tasksCompleted).to.equal(1);
  });

  it('ignores a finish report for a task it does not hold', () => {
    const agent = startWorking();
    agent.actor.send({ type: 'task.finished', taskId: 'old', outcome: 'completed' });
    expect(agent.actor.getSnapshot().value).to.equal('working');
    expect(agent.actor.getSnapshot().context.tasksCompleted).to.equal(0);
  });

  for (const from of ['assigned', 'working'] as const) {
    it(`returns to idle from ${from} without reclaiming when the hub takes the task away`, () => {
      const agent = startAgent();
      agent.actor.send({ type: 'agent.connected' });
      agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
      if (from !== 'assigned') agent.actor.send({ type: 'task.accepted', taskId: 't1' });
      expect(agent.actor.getSnapshot().value).to.equal(from);
      agent.actor.send({ type: 'task.reclaimed', taskId: 'other' });
      expect(agent.actor.getSnapshot().value).to.equal(from);
      agent.actor.send({ type: 'task.reclaimed', taskId: 't1' });
      expect(agent.actor.getSnapshot().value).to.equal('idle');
      expect(agent.actor.getSnapshot().context.currentTask).to.equal(null);
      expect(agent.reclaims).to.deep.equal([]);
    });
  }

  for (const from of ['assigned', 'working'] as const) {
    it(`goes offline from ${from} and reclaims the task it held`, () => {
      const agent = startAgent();
      agent.actor.send({ type: 'agent.connected' });
      agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 5 });
      if (from !== 'assigned') agent.actor.send({ type: 'task.accepted', taskId: 't1' });
      agent.actor.send({ type: 'agent.disconnected' });
      expect(agent.actor.getSnapshot().value).to.equal('offline');
      expect(agent.actor.getSnapshot().context.currentTask).to.equal(null);
      expect(agent.reclaims).to.deep.equal([{ reason: 'agent_disconnect', task: { taskId: 't1', generation: 5 } }]);
    });
  }

  it('goes offline from idle without reclaiming anything', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    agent.actor.send({ type: 'agent.disconnected' });
    expect(agent.actor.getSnapshot().value).to.equal('offline');
    expect(agent.reclaims).to.deep.equal([]);
  });

  it('cancels the acceptance timer when it goes offline', () => {
    const agent = startAgent();
    agent.actor.send({ type: 'agent.connected' });
    agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
    agent.actor.send({ type: 'agent.disconnected' });
    agent.clock.increment(acceptanceTimeoutMs);
    expect(agent.actor.getSnapshot().value).to.equal('offline');
    expect(agent.actor.getSnapshot().context.flags).to.deep.equal([]);
    expect(agent.reclaims.map((reclaim) => reclaim.reason)).to.deep.equal(['agent_disconnect']);
  });

  describe('a cancelled task', () => {
    it('keeps the agent busy (stopping) until the sidecar says it stopped, without reclaiming', () => {
      const agent = startWorking();
      agent.actor.send({ type: 'task.cancelled', taskId: 't1' });
      expect(agent.actor.getSnapshot().value).to.equal('stopping');
      expect(agent.actor.getSnapshot().context.currentTask?.taskId).to.equal('t1');
      agent.actor.send({ type: 'task.stopped', taskId: 'other' });
      expect(agent.actor.getSnapshot().value).to.equal('stopping');
      agent.actor.send({ type: 'task.stopped', taskId: 't1' });
      expect(agent.actor.getSnapshot().value).to.equal('idle');
      expect(agent.actor.getSnapshot().context.currentTask).to.equal(null);
      expect(agent.reclaims).to.deep.equal([]);
    });

    it('frees an agent whose sidecar never answers after the stop timeout, flagged unresponsive', () => {
      const agent = startWorking();
      agent.actor.send({ type: 'task.cancelled', taskId: 't1' });
      agent.clock.increment(acceptanceTimeoutMs - 1);
      expect(agent.actor.getSnapshot().value).to.equal('stopping');
      agent.clock.increment(1);
      expect(agent.actor.getSnapshot().value).to.equal('idle');
      expect(agent.actor.getSnapshot().context.flags).to.deep.equal(['unresponsive']);
      expect(agent.reclaims).to.deep.equal([]);
    });

    it('goes offline on disconnect while stopping, with nothing to reclaim', () => {
      const agent = startWorking();
      agent.actor.send({ type: 'task.cancelled', taskId: 't1' });
      agent.actor.send({ type: 'agent.disconnected' });
      expect(agent.actor.getSnapshot().value).to.equal('offline');
      expect(agent.actor.getSnapshot().context.currentTask).to.equal(null);
      expect(agent.reclaims).to.deep.equal([]);
    });

    it('stops from assigned too (cancelled before the accept)', () => {
      const agent = startAgent();
      agent.actor.send({ type: 'agent.connected' });
      agent.actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
      agent.actor.send({ type: 'task.cancelled', taskId: 't1' });
      expect(agent.actor.getSnapshot().value).to.equal('stopping');
    });
  });
});
