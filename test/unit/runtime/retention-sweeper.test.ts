import { expect } from 'chai';
import { Writable } from 'node:stream';
import type { Result } from '../../../storage/domain/errors.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { RetentionSweeper, retentionBatch } from '../../../runtime/retention-sweeper.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { TaskRecord } from '../../../storage/task-record.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const t0 = 1_700_000_000_000;
const hour = 3_600_000;
const logger = createLogger('error', new Writable({ write: (_chunk, _encoding, done) => done() }));

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
  return result.value;
}

describe('retention', () => {
  let dir: TempDir;
  let queue: LmdbTaskQueue;
  let now = t0;

  beforeEach(() => {
    dir = makeTempDir('retention');
    queue = LmdbTaskQueue.open(dir.path);
    now = t0;
  });
  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  async function completed(at: number, idempotencyKey: string | null = null): Promise<TaskRecord> {
    const task = value(await queue.assignDirect('agent-1', newTask({ idempotencyKey }), t0));
    return value(await queue.complete({ taskId: task.id, agentId: 'agent-1', generation: task.generation }, null, null, at));
  }

  it('deletes finished tasks and dead letters past their own retention, in bounded batches, and keeps the rest', async () => {
    await Promise.all(Array.from({ length: 250 }, () => completed(t0 + 1000)));
    const keyed = await completed(t0 + 1000, 'nightly-report');
    const late = await completed(t0 + 10 * hour);
    for (let i = 0; i < 30; i += 1) value(await queue.cancel(value(await queue.submit(newTask(), t0)).task.id, t0 + 1000));
    for (let i = 0; i < 5; i += 1) {
      const task = value(await queue.assignDirect('agent-1', newTask({ maxRetries: 0 }), t0));
      value(await queue.fail({ taskId: task.id, agentId: 'agent-1', generation: task.generation }, 'boom', t0 + 1000));
    }
    for (let i = 0; i < 10; i += 1) value(await queue.submit(newTask(), t0));
    for (let i = 0; i < 5; i += 1) value(await queue.assignDirect('agent-1', newTask(), t0));

    // One batch never removes more than its bound, and says where to go on.
    const first = value(await queue.removeExpired('completed', t0 + hour, 0, retentionBatch));
    expect(first.removed).to.equal(retentionBatch.maxRemoved);
    expect(first.nextSeq).to.be.a('number');

    const sweeper = new RetentionSweeper(queue, { completedMs: hour, deadLetterMs: 24 * hour }, logger, () => now);
    now = t0 + 2 * hour;
    await sweeper.sweep();
    expect(queue.stats().byStatus).to.include({ completed: 1, cancelled: 0, dead_letter: 5, queued: 10, assigned: 5 });
    expect(sweeper.stats().removed).to.deep.equal({ completed: 51, cancelled: 30, dead_letter: 0 });
    expect(sweeper.stats().last_sweep_at).to.equal(now);
    expect(queue.get(late.id)?.status).to.equal('completed');
    expect(queue.get(keyed.id)).to.equal(undefined);
    // Its idempotency key went with it: the same key makes a new task.
    expect(value(await queue.submit(newTask({ idempotencyKey: 'nightly-report' }), now)).created).to.equal(true);

    now = t0 + 48 * hour;
    await sweeper.sweep();
    expect(queue.stats().byStatus).to.include({ completed: 0, dead_letter: 0, queued: 11, assigned: 5 });
    expect(sweeper.stats().removed).to.deep.equal({ completed: 52, cancelled: 30, dead_letter: 5 });

    // What the counters say is what is on disk.
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.stats().byStatus).to.include({ completed: 0, cancelled: 0, dead_letter: 0, queued: 11, assigned: 5 });
  });

  it('keeps everything when a retention is 0', async () => {
    await completed(t0);
    const sweeper = new RetentionSweeper(queue, { completedMs: 0, deadLetterMs: 0 }, logger, () => t0 + 1000 * 24 * hour);
    await sweeper.sweep();
    expect(queue.stats().byStatus.completed).to.equal(1);
  });
});
