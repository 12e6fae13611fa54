import { expect } from 'chai';
import { createActor, createMachine, SimulatedClock, type AnyActorRef } from 'xstate';
import { DeadlineQueues } from '../../../actors/deadline-queues.ts';

// Records the events it hears.
const listener = createMachine({
  types: {} as { context: { heard: string[] }; events: { type: string } },
  context: () => ({ heard: [] }),
  on: { '*': { actions: ({ context, event }) => context.heard.push(event.type) } },
});

function setUp() {
  const clock = new SimulatedClock();
  const queues = new DeadlineQueues({ type: 'timer.stuck' }, clock);
  const actor = () => createActor(listener).start();
  const heard = (ref: AnyActorRef) => (ref.getSnapshot() as { context: { heard: string[] } }).context.heard;
  return { clock, queues, actor, heard };
}

describe('task timers (deadlines per delay, one native timer)', () => {
  it('sends the event when each deadline passes, across delays of different lengths', () => {
    const { clock, queues, actor, heard } = setUp();
    const [slow, fast, other] = [actor(), actor(), actor()];
    queues.arm(slow, 100);
    queues.arm(fast, 30);
    clock.increment(10);
    queues.arm(other, 100);
    clock.increment(19);
    expect([heard(slow), heard(fast), heard(other)]).to.deep.equal([[], [], []]);
    clock.increment(1);
    expect(heard(fast)).to.deep.equal(['timer.stuck']);
    clock.increment(70);
    expect(heard(slow)).to.deep.equal(['timer.stuck']);
    expect(heard(other)).to.deep.equal([]);
    clock.increment(10);
    expect(heard(other)).to.deep.equal(['timer.stuck']);
    expect(queues.size).to.equal(0);
  });

  it('replaces a deadline when armed again, and forgets a cancelled one', () => {
    const { clock, queues, actor, heard } = setUp();
    const [rearmed, cancelled, kept] = [actor(), actor(), actor()];
    queues.arm(rearmed, 50);
    queues.arm(cancelled, 50);
    queues.arm(kept, 60);
    clock.increment(40);
    queues.arm(rearmed, 50);
    queues.cancel(cancelled);
    clock.increment(20);
    expect([heard(rearmed), heard(cancelled), heard(kept)]).to.deep.equal([[], [], ['timer.stuck']]);
    clock.increment(30);
    expect(heard(rearmed)).to.deep.equal(['timer.stuck']);
    expect(heard(cancelled)).to.deep.equal([]);
  });

  it('sends nothing to an actor stopped without cancelling, and drops its deadline', () => {
    const { clock, queues, actor } = setUp();
    const stopped = actor();
    let sent = 0;
    const send = stopped.send.bind(stopped);
    stopped.send = (event) => {
      sent++;
      send(event);
    };
    queues.arm(stopped, 10);
    stopped.stop();
    clock.increment(10);
    expect(sent).to.equal(0);
    expect(queues.size).to.equal(0);
  });
});
