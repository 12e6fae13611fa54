// Extra path leases across a compaction: the compacting copy swaps the environment under the
// stores, so a store that kept a handle of the old one would write its leases into a closed
// (or discarded) file. Found by the typed-frames work on the approval store.
import { expect } from 'chai';
import { compactStore } from '../../../storage/compaction.ts';
import type { Result } from '../../../storage/domain/errors.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const t0 = 1_700_000_000_000;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

describe('path leases across a compaction', () => {
  let dir: TempDir;
  let store: LmdbStore;
  let queue: LmdbTaskQueue;

  beforeEach(() => {
    dir = makeTempDir('path-leases-compaction');
    store = openLmdbStore({ path: dir.path });
    queue = LmdbTaskQueue.onStore(store);
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  it('grants, releases and keeps extra leases after the environment is swapped', async () => {
    value(await queue.submit(newTask({ paths: ['src/**'] }), t0));
    const task = value(await queue.claimNext('a1', [], t0 + 1))!;
    const holder = { taskId: task.id, agentId: 'a1', generation: task.generation };
    const before = value(await queue.leaseAcquire(holder as never, ['docs/**'], undefined, t0 + 2)) as { granted: { lease_id: string } };

    const compacted = await compactStore(store);
    if (!compacted.ok) throw new Error(compacted.detail);

    const after = value(await queue.leaseAcquire(holder as never, ['tools/**'], undefined, t0 + 3)) as { granted: { lease_id: string } };
    expect(value(await queue.leaseRelease(before.granted.lease_id, 'a1')).lease_id).to.equal(before.granted.lease_id);
    await queue.close();

    queue = LmdbTaskQueue.open(dir.path);
    const held = queue.leasesOf(task.id).map((lease) => lease.lease_id);
    expect(held).to.include(after.granted.lease_id);
    expect(held).to.not.include(before.granted.lease_id);
  });
});
