import { expect } from 'chai';
import { createActor, waitFor } from 'xstate';
import { supervisorMachine } from '../../../machines/supervisor-machine.ts';
import { ServiceChain } from '../../../runtime/service-chain.ts';

/** A chain of three services under a rest_for_one root, each writing what happens to it in `log`. */
function startChain(log: string[]) {
  let opened = 0;
  let crashStorage: (error: unknown) => void = () => {};
  const storage = ServiceChain.empty().then('storage', {
    start: async (_before, { crash }) => {
      crashStorage = crash;
      opened += 1;
      log.push(`start:storage#${opened}`);
      return { generation: opened };
    },
    stop: async (handle) => {
      log.push(`stop:storage#${handle.generation}`);
    },
  });
  const chain = storage
    .then('hub', {
      start: async ({ storage: { generation } }) => {
        log.push(`start:hub on storage#${generation}`);
        return { storageGeneration: generation };
      },
      stop: async (hub) => {
        log.push(`stop:hub on storage#${hub.storageGeneration}`);
      },
    })
    .then('transport', {
      start: async ({ storage: given, hub }) => {
        log.push(`start:transport with storage#${given.generation} and hub on storage#${hub.storageGeneration}`);
        return 'listening';
      },
      stop: async () => {
        log.push('stop:transport');
      },
    });
  const root = createActor(supervisorMachine, { input: { strategy: 'rest_for_one', intensity: 3, periodMs: 5000, children: chain.children() } });
  root.start();
  return { root, chain, crashStorage: (error: unknown) => crashStorage(error) };
}

describe('ServiceChain', () => {
  it('starts each service with the handles of the services before it, in order, and stops them in reverse', async () => {
    const log: string[] = [];
    const { root, chain } = startChain(log);
    await waitFor(root, (snapshot) => snapshot.matches('running'));
    expect(chain.current('transport')).to.equal('listening');
    expect(chain.current('hub')).to.deep.equal({ storageGeneration: 1 });
    root.send({ type: 'supervisor.stop' });
    await waitFor(root, (snapshot) => snapshot.status === 'done');
    expect(log).to.deep.equal([
      'start:storage#1', 'start:hub on storage#1', 'start:transport with storage#1 and hub on storage#1',
      'stop:transport', 'stop:hub on storage#1', 'stop:storage#1',
    ]);
  });

  it('hands the restarted services the new handles when a service before them crashes (rest_for_one)', async () => {
    const log: string[] = [];
    const { root, chain, crashStorage } = startChain(log);
    await waitFor(root, (snapshot) => snapshot.matches('running'));
    log.length = 0;
    crashStorage(new Error('storage restart'));
    await waitFor(root, () => chain.current('hub')?.storageGeneration === 2 && log.some((line) => line.startsWith('start:transport')));
    expect(log).to.include('start:storage#2');
    expect(log).to.include('start:hub on storage#2');
    expect(log).to.include('start:transport with storage#2 and hub on storage#2');
    expect(log.indexOf('stop:transport')).to.be.lessThan(log.indexOf('stop:hub on storage#1'));
    root.stop();
  });
});
