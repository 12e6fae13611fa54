import { expect } from 'chai';
import { getPriority } from 'node:os';
import { runWorker, workerModule } from '../../../storage/worker-thread.ts';

describe('worker threads (storage/worker-thread.ts)', () => {
  it('a worker that yields to the hub runs at nice 19 while the hub thread keeps its priority', async function () {
    if (process.platform !== 'linux') this.skip();
    const before = getPriority();
    const workerNice = await runWorker<null, number>(workerModule('priority-probe-worker', new URL('../../support/x.ts', import.meta.url).href), null);
    expect(workerNice).to.equal(19);
    expect(getPriority()).to.equal(before);
  });
});
