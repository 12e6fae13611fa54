// The queue engine behaviour on LMDB, in a temp dir per test, plus what only LMDB has.
import { expect } from 'chai';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { newTask } from '../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { queueEngineBehaviour } from './queue-engine-behaviour.ts';

describe('Queue engine conformance: LMDB', () => {
  let dir: TempDir;

  queueEngineBehaviour({
    openFresh: async () => {
      dir = makeTempDir('task-queue');
      return LmdbTaskQueue.open(dir.path);
    },
    openAgain: async () => LmdbTaskQueue.open(dir.path),
    discard: async () => dir.remove(),
  });

  describe('open', () => {
    it('opens a data folder whose name has a dot in it', async () => {
      const parent = makeTempDir('task-queue-dotted');
      const dotted = join(parent.path, 'data.v2');
      const other = LmdbTaskQueue.open(dotted);
      try {
        const submitted = await other.submit(newTask(), 1_700_000_000_000);
        if (!submitted.ok) throw new Error(submitted.code);
        expect(other.get(submitted.value.task.id)?.status).to.equal('queued');
        expect(statSync(dotted).isDirectory()).to.equal(true);
      } finally {
        await other.close();
        parent.remove();
      }
    });
  });
});
