import { expect } from 'chai';
import { createActor, createMachine, sendTo, waitFor } from 'xstate';
import type { AnyActorLogic, AnyEventObject } from 'xstate';
import { serviceActor } from '../../../actors/service-actor.ts';
import type { ServiceHooks, ServiceStartContext } from '../../../actors/service-actor.ts';
import { supervisorMachine } from '../../../machines/supervisor-machine.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

// A parent that records every event its child sends and forwards test.stop as child.stop.
function startUnderRecorder(logic: AnyActorLogic, input: unknown) {
  const received: AnyEventObject[] = [];
  const parent = createActor(
    createMachine({
      invoke: { id: 'svc', src: logic, input },
      on: {
        'test.stop': { actions: sendTo('svc', { type: 'child.stop' }) },
        '*': { actions: ({ event }) => received.push(event) },
      },
    }),
  ).start();
  return { parent, received };
}

describe('serviceActor', () => {
  it('calls start with its name and input, then sends child.ready', async () => {
    const seen: Array<ServiceStartContext<{ port: number }>> = [];
    const logic = serviceActor<string, { port: number }>('web', {
      start: async (ctx) => {
        seen.push(ctx);
        return 'handle';
      },
      stop: async () => {},
    });
    const { received } = startUnderRecorder(logic, { port: 4000 });
    await settle();
    expect(seen.map((ctx) => [ctx.name, ctx.input])).to.deep.equal([['web', { port: 4000 }]]);
    expect(received).to.deep.equal([{ type: 'child.ready', id: 'svc' }]);
  });

  it('reports a rejected start as child.crashed, without child.ready', async () => {
    const failure = new Error('port in use');
    const logic = serviceActor('web', { start: () => Promise.reject(failure), stop: async () => {} });
    const { received } = startUnderRecorder(logic, undefined);
    await settle();
    expect(received).to.deep.equal([{ type: 'child.crashed', id: 'svc', error: failure }]);
  });

  it('reports a crash after start once, however often it is signalled', async () => {
    let crash: (error: unknown) => void = () => {};
    const logic = serviceActor('sweep', {
      start: async (ctx) => {
        crash = ctx.crash;
        return null;
      },
      stop: async () => {},
    });
    const { received } = startUnderRecorder(logic, undefined);
    await settle();
    const failure = new Error('lost the db');
    crash(failure);
    crash(new Error('again'));
    expect(received).to.deep.equal([
      { type: 'child.ready', id: 'svc' },
      { type: 'child.crashed', id: 'svc', error: failure },
    ]);
  });

  it('awaits stop with the handle before sending child.stopped', async () => {
    const stopping = deferred<void>();
    const stopped: string[] = [];
    const logic = serviceActor('storage', {
      start: async () => 'db-handle',
      stop: async (handle) => {
        stopped.push(handle);
        await stopping.promise;
      },
    });
    const { parent, received } = startUnderRecorder(logic, undefined);
    await settle();
    parent.send({ type: 'test.stop' });
    await settle();
    expect(stopped).to.deep.equal(['db-handle']);
    expect(received.map((event) => event.type)).to.deep.equal(['child.ready']);
    stopping.resolve();
    await settle();
    expect(received.map((event) => event.type)).to.deep.equal(['child.ready', 'child.stopped']);
  });

  it('waits for a pending start before stopping, and never reports ready', async () => {
    const starting = deferred<string>();
    const stopped: string[] = [];
    const logic = serviceActor('storage', {
      start: () => starting.promise,
      stop: async (handle) => {
        stopped.push(handle);
      },
    });
    const { parent, received } = startUnderRecorder(logic, undefined);
    parent.send({ type: 'test.stop' });
    await settle();
    expect(stopped).to.deep.equal([]);
    starting.resolve('late-handle');
    await settle();
    expect(stopped).to.deep.equal(['late-handle']);
    expect(received).to.deep.equal([{ type: 'child.stopped', id: 'svc' }]);
  });

  it('still replies child.stopped, with the error, when stop fails', async () => {
    const failure = new Error('close failed');
    const logic = serviceActor('web', { start: async () => 1, stop: () => Promise.reject(failure) });
    const { parent, received } = startUnderRecorder(logic, undefined);
    await settle();
    parent.send({ type: 'test.stop' });
    await settle();
    expect(received).to.deep.equal([
      { type: 'child.ready', id: 'svc' },
      { type: 'child.stopped', id: 'svc', error: failure },
    ]);
  });

  it('releases the resource when stopped without the handshake', async () => {
    const stopped: number[] = [];
    const logic = serviceActor('web', {
      start: async () => 7,
      stop: async (handle) => {
        stopped.push(handle);
      },
    });
    const { parent } = startUnderRecorder(logic, undefined);
    await settle();
    parent.stop();
    await settle();
    expect(stopped).to.deep.equal([7]);
  });

  it('starts in order and stops in reverse order under a supervisor', async () => {
    const log: string[] = [];
    const service = (name: string): ServiceHooks<string, unknown> => ({
      start: async () => {
        log.push(`start:${name}`);
        await settle();
        log.push(`ready:${name}`);
        return name;
      },
      stop: async (handle) => {
        log.push(`stop:${handle}`);
        await settle();
        log.push(`stopped:${handle}`);
      },
    });
    const supervisor = createActor(supervisorMachine, {
      input: {
        children: ['storage', 'web', 'sweeps'].map((id) => ({ id, logic: serviceActor(id, service(id)), restart: 'permanent' as const })),
      },
    }).start();
    await waitFor(supervisor, (snapshot) => snapshot.matches('running'));
    supervisor.send({ type: 'supervisor.stop' });
    await waitFor(supervisor, (snapshot) => snapshot.status === 'done');
    expect(log).to.deep.equal([
      'start:storage', 'ready:storage', 'start:web', 'ready:web', 'start:sweeps', 'ready:sweeps',
      'stop:sweeps', 'stopped:sweeps', 'stop:web', 'stopped:web', 'stop:storage', 'stopped:storage',
    ]);
  });

  it('is restarted by its supervisor after it crashes', async () => {
    const crashes: Array<(error: unknown) => void> = [];
    const logic = serviceActor('sweep', {
      start: async (ctx) => {
        crashes.push(ctx.crash);
        return null;
      },
      stop: async () => {},
    });
    const supervisor = createActor(supervisorMachine, { input: { children: [{ id: 'sweep', logic, restart: 'permanent' }] } }).start();
    await waitFor(supervisor, (snapshot) => snapshot.matches('running'));
    crashes[0]!(new Error('tick failed'));
    await waitFor(supervisor, (snapshot) => snapshot.matches('running') && crashes.length === 2);
    expect(supervisor.getSnapshot().context.restartCount).to.equal(1);
  });
});
