// An accept whose completion is already queued behind it is written in the completion's
// transaction (one read and one write of the record), and answers only once that is durable.
import { expect } from 'chai';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { TaskRecord } from '../../../storage/task-record.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

describe('LmdbTaskQueue: an accept riding in its completion', () => {
  let dir: TempDir;
  let queue: LmdbTaskQueue;
  const now = 1_000_000;

  beforeEach(() => {
    dir = makeTempDir('accept-rides');
    queue = LmdbTaskQueue.open(dir.path);
  });
  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  const assigned = async (): Promise<TaskRecord> => {
    const submitted = await queue.submit(newTask(), now);
    if (!submitted.ok) throw new Error(submitted.code);
    const claimed = await queue.claimNext('a1', [], now + 1);
    if (!claimed.ok || !claimed.value) throw new Error('no claim');
    return claimed.value;
  };
  const events = (id: string) => queue.get(id)!.history.map((entry) => entry.event);

  it('writes accept and completion in one record write, the accept first, and answers both', async () => {
    const task = await assigned();
    const report = { taskId: task.id, agentId: 'a1', generation: task.generation };
    const [accepted, completed] = await Promise.all([queue.accept(report, now + 2), queue.complete(report, { ok: true }, null, now + 3)]);
    expect(accepted.ok && accepted.value.accepted_at).to.equal(now + 2);
    expect(completed.ok && completed.value.status).to.equal('completed');
    expect(queue.get(task.id)).to.include({ status: 'completed', accepted_at: now + 2 });
    expect(events(task.id)).to.deep.equal(['completed', 'accepted', 'assigned', 'queued']);
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.get(task.id)).to.include({ status: 'completed', accepted_at: now + 2 });
  });

  it('keeps the accept when the completion behind it is refused, durably', async () => {
    const task = await assigned();
    const report = { taskId: task.id, agentId: 'a1', generation: task.generation };
    const [accepted, completed] = await Promise.all([
      queue.accept(report, now + 2), queue.complete({ ...report, generation: task.generation + 1 }, null, null, now + 3),
    ]);
    expect(!completed.ok && completed.code).to.equal('AC_ERR_STALE_GENERATION');
    expect(accepted.ok && accepted.value.accepted_at).to.equal(now + 2);
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.get(task.id)).to.include({ status: 'assigned', accepted_at: now + 2 });
  });

  it('does not wait on a completion called before it (that one ran first): it is fenced and answered alone', async () => {
    const task = await assigned();
    const report = { taskId: task.id, agentId: 'a1', generation: task.generation };
    const [completed, accepted] = await Promise.all([queue.complete(report, null, null, now + 2), queue.accept(report, now + 3)]);
    expect(completed.ok).to.equal(true);
    expect(!accepted.ok && accepted.code).to.equal('AC_ERR_INVALID_STATE');
  });

  it('is written alone when its completion never runs its transaction (the queue closed in between)', async () => {
    const task = await assigned();
    const report = { taskId: task.id, agentId: 'a1', generation: task.generation };
    const accepting = queue.accept(report, now + 2);
    const closing = queue.close();
    const completed = await queue.complete(report, null, null, now + 3);
    expect(!completed.ok && completed.code).to.equal('AC_ERR_QUEUE_CLOSED');
    const accepted = await accepting;
    expect(accepted.ok && accepted.value.accepted_at).to.equal(now + 2);
    await closing;
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.get(task.id)).to.include({ status: 'assigned', accepted_at: now + 2 });
  });
});
