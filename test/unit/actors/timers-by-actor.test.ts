import { expect } from 'chai';
import { createActor, createMachine, spawnChild, stopChild, type AnyActorRef } from 'xstate';
import { indexTimersByActor } from '../../../actors/timers-by-actor.ts';

const waiter = createMachine({
  initial: 'waiting',
  states: { waiting: { after: { 30: 'done' }, on: { again: { target: 'waiting', reenter: true } } }, done: {} },
});

const parent = createMachine({
  entry: [spawnChild(waiter, { id: 'a', systemId: 'a' }), spawnChild(waiter, { id: 'b', systemId: 'b' })],
  on: { 'stop.a': { actions: stopChild('a') } },
});

const scheduled = (system: unknown) => Object.keys((system as { _snapshot: { _scheduledEvents: object } })._snapshot._scheduledEvents);

describe('timers indexed by actor', () => {
  it('cancels only the stopped actor\'s timers, and the others still fire', async () => {
    const root = createActor(parent);
    indexTimersByActor(root.system as never);
    root.start();
    const a = root.system.get('a') as AnyActorRef;
    const b = root.system.get('b') as AnyActorRef;
    // A re-entered state cancels its timer and schedules it again: still one per actor.
    b.send({ type: 'again' });
    expect(scheduled(root.system)).to.have.length(2);
    root.send({ type: 'stop.a' });
    expect(scheduled(root.system)).to.have.length(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(b.getSnapshot().value).to.equal('done');
    expect(a.getSnapshot().value).to.equal('waiting');
    expect(scheduled(root.system)).to.deep.equal([]);
    root.stop();
  });
});
