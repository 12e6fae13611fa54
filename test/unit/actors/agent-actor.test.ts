import { expect } from 'chai';
import { createActor, transition, type AnyActorLogic } from 'xstate';
import { agentActorLogic, persistedAfter } from '../../../actors/agent-actor.ts';

describe('agent actor: the snapshot persisted with a completion', () => {
  it('is what the actor will have after the event, with no action run, the same as XState\'s own transition', () => {
    const calls: string[] = [];
    const logic = agentActorLogic({ reclaim: () => calls.push('reclaim'), idle: () => calls.push('idle'), resume: () => calls.push('resume') });
    const actor = createActor(logic, { input: { agentId: 'a1', acceptanceTimeoutMs: 60_000 } }).start();
    actor.send({ type: 'agent.connected' });
    actor.send({ type: 'task.assigned', taskId: 't1', generation: 1 });
    actor.send({ type: 'task.accepted', taskId: 't1' });
    calls.length = 0;
    const event = { type: 'task.finished', taskId: 't1', outcome: 'completed' } as const;
    const persisted = persistedAfter(logic as AnyActorLogic, actor.getSnapshot(), event) as { value: string; context: { tasksCompleted: number; currentTask: unknown } };
    expect(persisted.value).to.equal('idle');
    expect(persisted.context).to.include({ tasksCompleted: 1, currentTask: null });
    const [expected] = transition(logic as AnyActorLogic, actor.getSnapshot() as never, event as never);
    expect(persisted).to.deep.equal((logic as AnyActorLogic).getPersistedSnapshot(expected));
    // Computing it ran nothing (the idle announcement belongs to the real transition) and moved nothing.
    expect(calls).to.deep.equal([]);
    expect(actor.getSnapshot().value).to.equal('working');
    actor.stop();
  });
});
