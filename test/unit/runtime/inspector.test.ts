import { expect } from 'chai';
import { createInspector } from '@statelyai/inspect';
import { createActor, setup } from 'xstate';
import { supervisorMachine } from '../../../machines/supervisor-machine.ts';
import { actorGroups } from '../../../runtime/root-supervisor.ts';
import { supervisedActorHost } from '../../../actors/supervised-actor-host.ts';
import { namedBySystemId } from '../../../runtime/inspector.ts';

const watcher = setup({}).createMachine({ id: 'watcher', initial: 'watching', states: { watching: {} } });

describe('inspector', () => {
  it('shows each task actor under its system id, as a child of its partition supervisor', async () => {
    const sent: Array<{ type: string; name?: string; sessionId: string; parentId?: string }> = [];
    const inspector = createInspector({ send: (event: never) => void sent.push(event), start() {}, stop() {} } as never);
    const root = createActor(supervisorMachine, {
      systemId: 'root',
      inspect: namedBySystemId(inspector.inspect),
      input: { strategy: 'one_for_one', intensity: 3, periodMs: 5000, children: actorGroups(3, 5000) },
    }).start();
    const host = supervisedActorHost(root.system);
    const tasks = ['task:a', 'task:b', 'task:c'];
    const actors = tasks.map((id) => host.start('tasks', id, watcher, undefined as never));
    host.stop('tasks', 'task:a');
    host.start('tasks', 'task:d', watcher, undefined as never);
    // The inspector converts its events on a later tick.
    await new Promise((resolve) => setTimeout(resolve, 20));
    root.stop();

    const shown = sent.filter((event) => event.type === '@xstate.actor');
    for (const [i, id] of tasks.entries()) {
      const event = shown.find((candidate) => candidate.sessionId === actors[i]!.sessionId);
      expect(event?.name).to.equal(id);
      expect(event?.parentId).to.equal((actors[i] as unknown as { _parent: { sessionId: string } })._parent.sessionId);
    }
    expect(shown.map((event) => event.name)).to.include.members(['task:d', 'tasks/0', 'tasks', 'agents']);
  });
});
