import { expect } from 'chai';
import { createActor, createMachine, setup, type AnyActorRef } from 'xstate';
import { dynamicSupervisorMachine } from '../../../machines/dynamic-supervisor-machine.ts';
import type { ChildSpec } from '../../../machines/supervisor-plan.ts';

// A child that crashes when told to, counting its starts by id.
const starts = new Map<string, number>();
const crashable = setup({
  types: { events: {} as { type: 'crash' } | { type: 'finish' }, input: {} as { id: string }, context: {} as { id: string } },
}).createMachine({
  context: ({ input }) => ({ id: input.id }),
  entry: ({ context }) => starts.set(context.id, (starts.get(context.id) ?? 0) + 1),
  initial: 'up',
  states: {
    up: {
      on: {
        crash: { actions: () => { throw new Error('boom'); } },
        finish: 'done',
      },
    },
    done: { type: 'final' },
  },
});

const spec = (id: string, restart: ChildSpec['restart']): ChildSpec => ({ id, restart, logic: crashable, input: { id }, readyOnSpawn: true });

function start(input = {}) {
  const parentEvents: string[] = [];
  const parent = createActor(
    createMachine({
      invoke: { id: 'sup', systemId: 'sup', src: dynamicSupervisorMachine, input },
      on: { '*': { actions: ({ event }) => parentEvents.push(event.type) } },
    }),
  ).start();
  const sup = parent.system.get('sup') as AnyActorRef;
  return { parent, sup, parentEvents };
}

describe('dynamicSupervisorMachine', () => {
  beforeEach(() => starts.clear());

  it('tells its parent it is ready as soon as it starts', () => {
    expect(start().parentEvents).to.include('child.ready');
  });

  it('starts a child on add_child under its system id and stops it on remove_child', () => {
    const { parent, sup } = start();
    sup.send({ type: 'supervisor.add_child', spec: spec('agent:a', 'permanent') });
    const child = parent.system.get('agent:a');
    expect(child?.getSnapshot().status).to.equal('active');
    sup.send({ type: 'supervisor.remove_child', id: 'agent:a' });
    expect(parent.system.get('agent:a')).to.equal(undefined);
    expect(child?.getSnapshot().status).to.equal('stopped');
  });

  it("gives a removed child's slot to the next child, which is still found and stopped by its own system id", () => {
    const { parent, sup } = start();
    sup.send({ type: 'supervisor.add_child', spec: spec('task:a', 'temporary') });
    sup.send({ type: 'supervisor.add_child', spec: spec('task:b', 'temporary') });
    const a = parent.system.get('task:a')!;
    sup.send({ type: 'supervisor.remove_child', id: 'task:a' });
    sup.send({ type: 'supervisor.add_child', spec: spec('task:c', 'temporary') });
    const c = parent.system.get('task:c')!;
    expect(c.id).to.equal(a.id);
    expect(Object.keys(sup.getSnapshot().children)).to.have.length(2);
    // A crash of the slot's new child is its own, and the old one's removal does not touch it.
    sup.send({ type: 'supervisor.remove_child', id: 'task:a' });
    expect(c.getSnapshot().status).to.equal('active');
    c.send({ type: 'crash' });
    expect(parent.system.get('task:c')).to.equal(undefined);
    expect(parent.system.get('task:b')?.getSnapshot().status).to.equal('active');
    expect(sup.getSnapshot().context.children.size).to.equal(1);
  });

  it('restarts a crashed permanent child under the same id and leaves its siblings alone', () => {
    const { parent, sup } = start();
    sup.send({ type: 'supervisor.add_child', spec: spec('agent:a', 'permanent') });
    sup.send({ type: 'supervisor.add_child', spec: spec('agent:b', 'permanent') });
    const sibling = parent.system.get('agent:b');
    parent.system.get('agent:a')!.send({ type: 'crash' });
    expect(starts.get('agent:a')).to.equal(2);
    expect(parent.system.get('agent:a')?.getSnapshot().status).to.equal('active');
    expect(parent.system.get('agent:b')).to.equal(sibling);
    expect(starts.get('agent:b')).to.equal(1);
    expect(sup.getSnapshot().context.restartCount).to.equal(1);
  });

  it('forgets a crashed temporary child instead of restarting it', () => {
    const { parent, sup } = start();
    sup.send({ type: 'supervisor.add_child', spec: spec('task:t', 'temporary') });
    parent.system.get('task:t')!.send({ type: 'crash' });
    expect(parent.system.get('task:t')).to.equal(undefined);
    expect(starts.get('task:t')).to.equal(1);
    expect(sup.getSnapshot().context.children.size).to.equal(0);
  });

  it('forgets a transient child that finished normally', () => {
    const { parent, sup } = start();
    sup.send({ type: 'supervisor.add_child', spec: spec('task:t', 'transient') });
    parent.system.get('task:t')!.send({ type: 'finish' });
    expect(sup.getSnapshot().context.children.size).to.equal(0);
    expect(starts.get('task:t')).to.equal(1);
  });

  it('fails upward after more restarts than its intensity allows', () => {
    const { parent, sup, parentEvents } = start({ intensity: 2, periodMs: 60_000 });
    sup.send({ type: 'supervisor.add_child', spec: spec('agent:a', 'permanent') });
    for (let i = 0; i < 3; i++) parent.system.get('agent:a')?.send({ type: 'crash' });
    expect(starts.get('agent:a')).to.equal(3);
    expect(sup.getSnapshot().status).to.equal('error');
    expect(parentEvents.some((type) => type.startsWith('xstate.error.actor.sup'))).to.equal(true);
  });

  it('stops every child and reports child.stopped on supervisor.stop', () => {
    const { parent, sup, parentEvents } = start();
    sup.send({ type: 'supervisor.add_child', spec: spec('agent:a', 'permanent') });
    const child = parent.system.get('agent:a');
    sup.send({ type: 'supervisor.stop' });
    expect(child?.getSnapshot().status).to.equal('stopped');
    expect(parentEvents).to.include('child.stopped');
  });
});
