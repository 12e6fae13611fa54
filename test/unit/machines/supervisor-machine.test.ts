import { expect } from 'chai';
import { createActor, createMachine, fromCallback, sendParent, SimulatedClock, waitFor } from 'xstate';
import type { AnyActorRef } from 'xstate';
import { supervisorMachine } from '../../../machines/supervisor-machine.ts';
import type { ChildSpec, SupervisorInput } from '../../../machines/supervisor-machine.ts';

// A child that follows the contract and writes what happens to it in `log`.
// Test events: 'test.crash' (reports child.crashed), 'test.throw' (errors),
// 'test.finish' (exits normally).
function probe(log: string[]) {
  return createMachine({
    initial: 'up',
    entry: [({ self }) => log.push(`start:${self.id}`), sendParent(({ self }) => ({ type: 'child.ready', id: self.id }))],
    states: {
      up: {
        on: {
          'child.stop': {
            target: 'down',
            actions: [({ self }) => log.push(`stop:${self.id}`), sendParent(({ self }) => ({ type: 'child.stopped', id: self.id }))],
          },
          'test.crash': { actions: sendParent(({ self }) => ({ type: 'child.crashed', id: self.id, error: new Error('boom') })) },
          'test.throw': {
            actions: () => {
              throw new Error('thrown');
            },
          },
          'test.finish': { target: 'down' },
        },
      },
      down: { type: 'final' },
    },
  });
}

// A child that starts but never answers child.stop.
const deafChild = fromCallback(({ self, sendBack }) => {
  sendBack({ type: 'child.ready', id: self.id });
});

function specs(log: string[], ids: string[], restart: ChildSpec['restart'] = 'permanent'): ChildSpec[] {
  return ids.map((id) => ({ id, logic: probe(log), restart }));
}

function startSupervisor(input: SupervisorInput) {
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const actor = createActor(supervisorMachine, { clock, input });
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  return { actor, clock, errors };
}

function child(actor: AnyActorRef, id: string): AnyActorRef {
  const ref = actor.system.get(id) as AnyActorRef | undefined;
  if (!ref) throw new Error(`no child ${id}`);
  return ref;
}

describe('supervisorMachine', () => {
  it('starts its children in order and reports them running', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a', 'b', 'c']) });
    expect(actor.getSnapshot().value).to.equal('running');
    expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'b', 'c']);
    expect(actor.getSnapshot().context.restartCount).to.equal(0);
    expect(log).to.deep.equal(['start:a', 'start:b', 'start:c']);
  });

  it('starts the next child only after the previous one is ready', () => {
    const log: string[] = [];
    let makeReady = () => {};
    const slow = fromCallback(({ self, sendBack }) => {
      log.push(`start:${self.id}`);
      makeReady = () => sendBack({ type: 'child.ready', id: self.id });
    });
    const { actor } = startSupervisor({
      children: [{ id: 'slow', logic: slow, restart: 'permanent' }, ...specs(log, ['after'])],
    });
    expect(log).to.deep.equal(['start:slow']);
    expect(actor.getSnapshot().value).to.deep.equal({ starting: 'awaitingReady' });
    makeReady();
    expect(log).to.deep.equal(['start:slow', 'start:after']);
    expect(actor.getSnapshot().value).to.equal('running');
  });

  it('registers each child under its spec id as system id', () => {
    const { actor } = startSupervisor({ children: specs([], ['storage', 'agent:a1']) });
    const children = actor.getSnapshot().children as Record<string, AnyActorRef>;
    expect(actor.system.get('storage')).to.equal(children['storage']);
    expect(actor.system.get('agent:a1')).to.equal(children['agent:a1']);
    expect(children['storage']).to.not.equal(undefined);
  });

  it('restarts only the crashed child under one_for_one', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a', 'b', 'c']), strategy: 'one_for_one' });
    log.length = 0;
    child(actor, 'b').send({ type: 'test.throw' });
    expect(log).to.deep.equal(['start:b']);
    expect(actor.getSnapshot().value).to.equal('running');
    expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'b', 'c']);
    expect(actor.getSnapshot().context.restartCount).to.equal(1);
  });

  it('stops a child that reports a crash before starting it again', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a', 'b']) });
    log.length = 0;
    child(actor, 'a').send({ type: 'test.crash' });
    expect(log).to.deep.equal(['stop:a', 'start:a']);
    expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'b']);
  });

  it('stops the others in reverse order and restarts all in order under one_for_all', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a', 'b', 'c']), strategy: 'one_for_all' });
    log.length = 0;
    child(actor, 'b').send({ type: 'test.throw' });
    expect(log).to.deep.equal(['stop:c', 'stop:a', 'start:a', 'start:b', 'start:c']);
    expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'b', 'c']);
    expect(actor.getSnapshot().context.restartCount).to.equal(1);
  });

  it('restarts the crashed child and the ones after it under rest_for_one', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a', 'b', 'c']), strategy: 'rest_for_one' });
    log.length = 0;
    child(actor, 'b').send({ type: 'test.throw' });
    expect(log).to.deep.equal(['stop:c', 'start:b', 'start:c']);
  });

  it('does not restart a temporary child and drops it', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({
      children: [...specs(log, ['a']), ...specs(log, ['temp'], 'temporary')],
    });
    log.length = 0;
    child(actor, 'temp').send({ type: 'test.throw' });
    expect(log).to.deep.equal([]);
    expect(actor.getSnapshot().context.running).to.deep.equal(['a']);
    expect(actor.getSnapshot().context.specs.map((spec) => spec.id)).to.deep.equal(['a']);
    expect(actor.getSnapshot().context.restartCount).to.equal(0);
  });

  it('restarts a transient child after a crash but not after a normal exit', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['t'], 'transient') });
    log.length = 0;
    child(actor, 't').send({ type: 'test.throw' });
    expect(log).to.deep.equal(['start:t']);
    child(actor, 't').send({ type: 'test.finish' });
    expect(log).to.deep.equal(['start:t']);
    expect(actor.getSnapshot().context.running).to.deep.equal([]);
  });

  it('restarts a permanent child even after a normal exit', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['p']) });
    log.length = 0;
    child(actor, 'p').send({ type: 'test.finish' });
    expect(log).to.deep.equal(['start:p']);
    expect(actor.getSnapshot().context.restartCount).to.equal(1);
  });

  it('stops its children in reverse order and errors when crashes pass the intensity', () => {
    const log: string[] = [];
    const { actor, errors } = startSupervisor({ children: specs(log, ['a', 'b', 'c']), intensity: 2, periodMs: 5000 });
    child(actor, 'a').send({ type: 'test.throw' });
    child(actor, 'a').send({ type: 'test.throw' });
    expect(actor.getSnapshot().status).to.equal('active');
    log.length = 0;
    child(actor, 'a').send({ type: 'test.throw' });
    expect(log).to.deep.equal(['stop:c', 'stop:b']);
    expect(actor.getSnapshot().status).to.equal('error');
    expect(errors).to.have.length(1);
    expect((errors[0] as Error).message).to.match(/more than 2 restarts in 5000 ms/);
    expect((errors[0] as Error).cause).to.be.instanceOf(Error);
  });

  it('forgets restarts older than the period', () => {
    const log: string[] = [];
    const { actor, clock } = startSupervisor({ children: specs(log, ['a']), intensity: 2, periodMs: 5000 });
    child(actor, 'a').send({ type: 'test.throw' });
    child(actor, 'a').send({ type: 'test.throw' });
    clock.increment(5000);
    child(actor, 'a').send({ type: 'test.throw' });
    child(actor, 'a').send({ type: 'test.throw' });
    expect(actor.getSnapshot().status).to.equal('active');
    expect(actor.getSnapshot().context.restartCount).to.equal(4);
    expect(actor.getSnapshot().context.restartsInPeriod).to.equal(2);
  });

  it('stops its children in reverse order on supervisor.stop and ends stopped', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a', 'b', 'c']) });
    log.length = 0;
    actor.send({ type: 'supervisor.stop' });
    expect(log).to.deep.equal(['stop:c', 'stop:b', 'stop:a']);
    expect(actor.getSnapshot().value).to.equal('stopped');
    expect(actor.getSnapshot().status).to.equal('done');
    expect(actor.getSnapshot().context.running).to.deep.equal([]);
  });

  it('waits for each child.stopped before asking the next child to stop', () => {
    const log: string[] = [];
    const { actor, clock } = startSupervisor({
      children: [...specs(log, ['a']), { id: 'deaf', logic: deafChild, restart: 'permanent' }],
      childStopTimeoutMs: 1000,
    });
    log.length = 0;
    actor.send({ type: 'supervisor.stop' });
    expect(actor.getSnapshot().value).to.deep.equal({ shuttingDown: 'awaitingStopped' });
    expect(log).to.deep.equal([]);
    clock.increment(999);
    expect(log).to.deep.equal([]);
    clock.increment(1);
    expect(log).to.deep.equal(['stop:a']);
    expect(actor.getSnapshot().value).to.equal('stopped');
  });

  it('adds a child at runtime and starts it', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a']) });
    actor.send({ type: 'supervisor.add_child', spec: specs(log, ['agent:x'])[0]! });
    expect(log).to.deep.equal(['start:a', 'start:agent:x']);
    expect(actor.getSnapshot().value).to.equal('running');
    expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'agent:x']);
  });

  it('ignores a child added under an id it already has', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a']) });
    actor.send({ type: 'supervisor.add_child', spec: specs(log, ['a'])[0]! });
    expect(log).to.deep.equal(['start:a']);
    expect(actor.getSnapshot().context.specs).to.have.length(1);
  });

  it('stops and forgets a child removed at runtime', () => {
    const log: string[] = [];
    const { actor } = startSupervisor({ children: specs(log, ['a', 'b']) });
    log.length = 0;
    actor.send({ type: 'supervisor.remove_child', id: 'a' });
    expect(log).to.deep.equal(['stop:a']);
    expect(actor.getSnapshot().value).to.equal('running');
    expect(actor.getSnapshot().context.running).to.deep.equal(['b']);
    expect(actor.system.get('a')).to.equal(undefined);
  });

  describe('readyOnSpawn children', () => {
    // A plain machine that knows nothing of the child contract, like a task actor.
    const plain = createMachine({ initial: 'open', states: { open: { on: { 'test.finish': 'closed' } }, closed: { type: 'final' } } });

    it('starts one as soon as it is added, without waiting for child.ready', () => {
      const { actor } = startSupervisor({ children: [] });
      actor.send({ type: 'supervisor.add_child', spec: { id: 'task:t1', logic: plain, restart: 'temporary', readyOnSpawn: true } });
      expect(actor.system.get('task:t1')).to.not.equal(undefined);
      expect(actor.getSnapshot().value).to.equal('running');
      expect(actor.getSnapshot().context.running).to.deep.equal(['task:t1']);
    });

    it('stops one directly when it is removed, without waiting for child.stopped', () => {
      const { actor } = startSupervisor({
        children: [{ id: 'agent:a1', logic: plain, restart: 'permanent', readyOnSpawn: true }],
        childStopTimeoutMs: 1000,
      });
      const agent = child(actor, 'agent:a1');
      actor.send({ type: 'supervisor.remove_child', id: 'agent:a1' });
      expect(actor.getSnapshot().value).to.equal('running');
      expect(agent.getSnapshot().status).to.equal('stopped');
      expect(actor.getSnapshot().context.running).to.deep.equal([]);
    });

    it('forgets a finished temporary child and stays running', () => {
      const { actor } = startSupervisor({ children: [{ id: 'task:t1', logic: plain, restart: 'temporary', readyOnSpawn: true }] });
      child(actor, 'task:t1').send({ type: 'test.finish' });
      expect(actor.getSnapshot().value).to.equal('running');
      expect(actor.getSnapshot().context.running).to.deep.equal([]);
      expect(actor.getSnapshot().context.specs).to.deep.equal([]);
      expect(actor.getSnapshot().context.restartCount).to.equal(0);
    });
  });

  describe('nested', () => {
    function nestedInput(log: string[], innerIntensity = 3): SupervisorInput {
      return {
        children: [
          ...specs(log, ['a']),
          {
            id: 'inner',
            logic: supervisorMachine,
            restart: 'permanent',
            input: { children: specs(log, ['x', 'y']), intensity: innerIntensity } satisfies SupervisorInput,
          },
          ...specs(log, ['z']),
        ],
      };
    }

    it('waits for all of a nested supervisor\'s children before starting the next sibling', () => {
      const log: string[] = [];
      const { actor } = startSupervisor(nestedInput(log));
      expect(log).to.deep.equal(['start:a', 'start:x', 'start:y', 'start:z']);
      expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'inner', 'z']);
    });

    it('stops a nested supervisor\'s children in reverse order as part of its own stop', () => {
      const log: string[] = [];
      const { actor } = startSupervisor(nestedInput(log));
      log.length = 0;
      actor.send({ type: 'supervisor.stop' });
      expect(log).to.deep.equal(['stop:z', 'stop:y', 'stop:x', 'stop:a']);
      expect(actor.getSnapshot().status).to.equal('done');
    });

    it('restarts a nested supervisor that gave up', () => {
      const log: string[] = [];
      const { actor } = startSupervisor(nestedInput(log, 0));
      log.length = 0;
      child(actor, 'x').send({ type: 'test.throw' });
      expect(log).to.deep.equal(['stop:y', 'start:x', 'start:y']);
      expect(actor.getSnapshot().value).to.equal('running');
      expect(actor.getSnapshot().context.restartCount).to.equal(1);
      expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'inner', 'z']);
    });
  });

  it('restarts a child whose start is still pending after a crash elsewhere', async () => {
    const log: string[] = [];
    let makeReady = () => {};
    const slow = fromCallback(({ self, sendBack }) => {
      log.push(`start:${self.id}`);
      makeReady = () => sendBack({ type: 'child.ready', id: self.id });
    });
    const { actor } = startSupervisor({
      children: [...specs(log, ['a']), { id: 'slow', logic: slow, restart: 'permanent' }],
    });
    child(actor, 'a').send({ type: 'test.throw' });
    expect(actor.getSnapshot().value).to.deep.equal({ restarting: { starting: 'awaitingReady' } });
    makeReady();
    await waitFor(actor, (snapshot) => snapshot.matches('running'));
    expect(log).to.deep.equal(['start:a', 'start:slow', 'start:a']);
    expect(actor.getSnapshot().context.running).to.deep.equal(['a', 'slow']);
  });
});
