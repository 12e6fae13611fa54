// The agent machine's `blocked` state (fleet control): the breaker and rate-limit parking.
import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { agentMachine, type AgentBlock, type AgentTaskRef } from '../../../machines/agent-machine.ts';
import { agentTimerActions } from '../../../actors/agent-actor.ts';

function startAgent(input: { breakerFailures?: number; breakerCooldownMs?: number; consecutiveFailures?: number; block?: AgentBlock | null } = {}) {
  const resumed: AgentTaskRef[] = [];
  const reclaimed: AgentTaskRef[] = [];
  let idle = 0;
  const clock = new SimulatedClock();
  const actor = createActor(agentMachine.provide({
    actions: {
      ...agentTimerActions(clock),
      reclaimCurrentTask: ({ context }) => { if (context.currentTask) reclaimed.push(context.currentTask); },
      announceIdle: () => { idle += 1; },
      resumeTask: ({ context }) => { if (context.currentTask) resumed.push(context.currentTask); },
    },
  }), { clock, input: { agentId: 'a1', acceptanceTimeoutMs: 60_000, ...input } }).start();
  actor.send({ type: 'agent.connected' });
  const work = (taskId: string) => {
    actor.send({ type: 'task.assigned', taskId, generation: 1 });
    actor.send({ type: 'task.accepted', taskId });
  };
  return { actor, work, resumed, reclaimed, idle: () => idle };
}

describe('agentMachine: blocked', () => {
  describe('breaker', () => {
    it('trips on the breakerFailures-th failure in a row, with the cooldown counted from the failure', () => {
      const agent = startAgent({ breakerFailures: 2, breakerCooldownMs: 1_000 });
      agent.work('t1');
      agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'failed', at: 100 });
      expect(agent.actor.getSnapshot().value).to.equal('idle');
      expect(agent.actor.getSnapshot().context.consecutiveFailures).to.equal(1);
      agent.work('t2');
      agent.actor.send({ type: 'task.finished', taskId: 't2', outcome: 'failed', at: 500 });
      const snapshot = agent.actor.getSnapshot();
      expect(snapshot.value).to.equal('blocked');
      expect(snapshot.context.block).to.deep.equal({ reason: 'breaker', since: 500, until: 1_500 });
      expect(snapshot.context.currentTask).to.equal(null);
    });

    it('counts only failures in a row: a completion resets the count', () => {
      const agent = startAgent({ breakerFailures: 2 });
      agent.work('t1');
      agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'failed', at: 1 });
      agent.work('t2');
      agent.actor.send({ type: 'task.finished', taskId: 't2', outcome: 'completed', at: 2 });
      expect(agent.actor.getSnapshot().context.consecutiveFailures).to.equal(0);
      agent.work('t3');
      agent.actor.send({ type: 'task.finished', taskId: 't3', outcome: 'failed', at: 3 });
      expect(agent.actor.getSnapshot().value).to.equal('idle');
    });

    it('has no until without a cooldown, and is not assigned work while blocked', () => {
      const agent = startAgent({ breakerFailures: 1, breakerCooldownMs: 0 });
      agent.work('t1');
      agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'failed', at: 9 });
      expect(agent.actor.getSnapshot().context.block?.until).to.equal(null);
      agent.actor.send({ type: 'task.assigned', taskId: 't2', generation: 1 });
      expect(agent.actor.getSnapshot().value).to.equal('blocked');
      expect(agent.actor.getSnapshot().context.currentTask).to.equal(null);
    });

    it('goes idle on unblock, with the count reset and an idle announcement', () => {
      const agent = startAgent({ breakerFailures: 1 });
      agent.work('t1');
      agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'failed', at: 9 });
      const before = agent.idle();
      agent.actor.send({ type: 'agent.unblocked' });
      expect(agent.actor.getSnapshot().value).to.equal('idle');
      expect(agent.actor.getSnapshot().context).to.include({ consecutiveFailures: 0, block: null });
      expect(agent.idle()).to.equal(before + 1);
    });

    it('stays blocked across a disconnect and a reconnect, and starts blocked from a kept block', () => {
      const agent = startAgent({ breakerFailures: 1 });
      agent.work('t1');
      agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'failed', at: 9 });
      agent.actor.send({ type: 'agent.disconnected' });
      expect(agent.actor.getSnapshot().value).to.equal('offline');
      agent.actor.send({ type: 'agent.connected' });
      expect(agent.actor.getSnapshot().value).to.equal('blocked');
      const restored = startAgent({ consecutiveFailures: 3, block: { reason: 'breaker', since: 1, until: null } });
      expect(restored.actor.getSnapshot().value).to.equal('blocked');
    });

    it('may be unblocked while offline', () => {
      const agent = startAgent({ breakerFailures: 1 });
      agent.work('t1');
      agent.actor.send({ type: 'task.finished', taskId: 't1', outcome: 'failed', at: 9 });
      agent.actor.send({ type: 'agent.disconnected' });
      agent.actor.send({ type: 'agent.unblocked' });
      agent.actor.send({ type: 'agent.connected' });
      expect(agent.actor.getSnapshot().value).to.equal('idle');
    });
  });

  describe('rate-limit parking', () => {
    it('parks a working agent keeping its task, and resumes the same task on unblock', () => {
      const agent = startAgent();
      agent.work('t1');
      agent.actor.send({ type: 'agent.rate_limited', taskId: 't1', until: 5_000, at: 1_000 });
      const parked = agent.actor.getSnapshot();
      expect(parked.value).to.equal('blocked');
      expect(parked.context.block).to.deep.equal({ reason: 'rate_limited', since: 1_000, until: 5_000 });
      expect(parked.context.currentTask).to.deep.equal({ taskId: 't1', generation: 1 });
      agent.actor.send({ type: 'agent.unblocked' });
      expect(agent.actor.getSnapshot().value).to.equal('working');
      expect(agent.resumed).to.deep.equal([{ taskId: 't1', generation: 1 }]);
      expect(agent.reclaimed).to.deep.equal([]);
    });

    it('ignores a rate limit about another task', () => {
      const agent = startAgent();
      agent.work('t1');
      agent.actor.send({ type: 'agent.rate_limited', taskId: 'other', until: 5_000, at: 1_000 });
      expect(agent.actor.getSnapshot().value).to.equal('working');
    });

    it('takes a later until while parked', () => {
      const agent = startAgent();
      agent.work('t1');
      agent.actor.send({ type: 'agent.rate_limited', taskId: 't1', until: 5_000, at: 1_000 });
      agent.actor.send({ type: 'agent.rate_limited', taskId: 't1', until: 9_000, at: 2_000 });
      expect(agent.actor.getSnapshot().context.block?.until).to.equal(9_000);
    });

    it('stops a parked task that is cancelled, then stays blocked until the limit passes', () => {
      const agent = startAgent();
      agent.work('t1');
      agent.actor.send({ type: 'agent.rate_limited', taskId: 't1', until: 5_000, at: 1_000 });
      agent.actor.send({ type: 'task.cancelled', taskId: 't1' });
      expect(agent.actor.getSnapshot().value).to.equal('stopping');
      agent.actor.send({ type: 'task.stopped', taskId: 't1' });
      expect(agent.actor.getSnapshot().value).to.equal('blocked');
      expect(agent.actor.getSnapshot().context.currentTask).to.equal(null);
      agent.actor.send({ type: 'agent.unblocked' });
      expect(agent.actor.getSnapshot().value).to.equal('idle');
      expect(agent.resumed).to.deep.equal([]);
    });

    it('reclaims a parked task when the agent disconnects, as for any held task', () => {
      const agent = startAgent();
      agent.work('t1');
      agent.actor.send({ type: 'agent.rate_limited', taskId: 't1', until: 5_000, at: 1_000 });
      agent.actor.send({ type: 'agent.disconnected' });
      expect(agent.reclaimed).to.deep.equal([{ taskId: 't1', generation: 1 }]);
    });

    it('reconnects into blocked holding its task when the hub still holds it', () => {
      const agent = startAgent();
      agent.work('t1');
      agent.actor.send({ type: 'agent.rate_limited', taskId: 't1', until: 5_000, at: 1_000 });
      agent.actor.send({ type: 'agent.disconnected' });
      agent.actor.send({ type: 'agent.connected', resume: { taskId: 't1', generation: 1 } });
      expect(agent.actor.getSnapshot().value).to.equal('blocked');
      expect(agent.actor.getSnapshot().context.currentTask).to.deep.equal({ taskId: 't1', generation: 1 });
    });
  });
});
