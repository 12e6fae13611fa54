// A completion that frees its agent claims the agent's next task in the same write: the next
// task is assigned durably with the completion, by the same pick a claim makes, and never when
// the completion is refused.
import { expect } from 'chai';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { TaskRecord } from '../../../storage/task-record.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

describe('LmdbTaskQueue: completeAndClaim', () => {
  let dir: TempDir;
  let queue: LmdbTaskQueue;
  const now = 1_000_000;
  const taker = { agentId: 'a1', capabilities: ['ts'] };

  beforeEach(() => {
    dir = makeTempDir('complete-and-claim');
    queue = LmdbTaskQueue.open(dir.path);
  });
  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  const submitted = async (overrides: Parameters<typeof newTask>[0] = {}): Promise<TaskRecord> => {
    const outcome = await queue.submit(newTask({ neededCapabilities: ['ts'], ...overrides }), now);
    if (!outcome.ok) throw new Error(outcome.code);
    return outcome.value.task;
  };
  const heldBy = async (agentId: string): Promise<TaskRecord> => {
    const claimed = await queue.claimNext(agentId, ['ts'], now + 1);
    if (!claimed.ok || !claimed.value) throw new Error('no claim');
    return claimed.value;
  };
  const reportOf = (task: TaskRecord) => ({ taskId: task.id, agentId: task.assigned_to!, generation: task.generation });

  it('assigns the next ready task to the freed agent in the completion\'s write, durably', async () => {
    await submitted();
    const second = await submitted();
    const first = await heldBy('a1');
    const outcome = await queue.completeAndClaim(reportOf(first), { ok: true }, null, now + 5, undefined, taker);
    if (!outcome.ok) throw new Error(outcome.code);
    expect(outcome.value.task).to.include({ id: first.id, status: 'completed' });
    expect(outcome.value.next).to.include({ id: second.id, status: 'assigned', assigned_to: 'a1' });
    // One write: the assignment carries the completion's own time.
    expect(outcome.value.next!.history[0]).to.include({ event: 'assigned', timestamp: now + 5 });
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.get(first.id)).to.include({ status: 'completed' });
    expect(queue.get(second.id)).to.include({ status: 'assigned', assigned_to: 'a1' });
    expect(queue.assignedTo('a1').map((task) => task.id)).to.deep.equal([second.id]);
  });

  it('picks as a claim does: the highest lane first, and nothing the agent cannot do', async () => {
    await submitted();
    const first = await heldBy('a1');
    const low = await submitted({ priority: 3 });
    await submitted({ neededCapabilities: ['go'] });
    const urgent = await submitted({ priority: 0 });
    const outcome = await queue.completeAndClaim(reportOf(first), null, null, now + 5, undefined, taker);
    expect(outcome.ok && outcome.value.next?.id).to.equal(urgent.id);
    const again = await queue.completeAndClaim(reportOf(outcome.ok ? outcome.value.next! : first), null, null, now + 6, undefined, taker);
    expect(again.ok && again.value.next?.id).to.equal(low.id);
    const last = await queue.completeAndClaim(reportOf(again.ok ? again.value.next! : first), null, null, now + 7, undefined, taker);
    // Only the task needing `go` is left.
    expect(last.ok && last.value.next).to.equal(null);
  });

  it('claims nothing when the completion is refused, and leaves the next task queued', async () => {
    await submitted();
    const second = await submitted();
    const first = await heldBy('a1');
    const outcome = await queue.completeAndClaim({ ...reportOf(first), generation: first.generation + 1 }, null, null, now + 5, undefined, taker);
    expect(!outcome.ok && outcome.code).to.equal('AC_ERR_STALE_GENERATION');
    expect(queue.get(second.id)).to.include({ status: 'queued' });
    // The next claim still finds it: it was not left marked as being claimed.
    const claimed = await queue.claimNext('a2', ['ts'], now + 6);
    expect(claimed.ok && claimed.value?.id).to.equal(second.id);
  });

  it('never hands one task to both a claim and a completion in the same turn', async () => {
    await submitted();
    const second = await submitted();
    const first = await heldBy('a1');
    const [completed, claimed] = await Promise.all([
      queue.completeAndClaim(reportOf(first), null, null, now + 5, undefined, taker),
      queue.claimNext('a2', ['ts'], now + 5),
    ]);
    const winners = [completed.ok ? completed.value.next?.id : undefined, claimed.ok ? claimed.value?.id : undefined].filter((id) => id === second.id);
    expect(winners).to.have.length(1);
    expect(queue.get(second.id)).to.include({ status: 'assigned' });
  });

  it('without a taker, completes as complete does', async () => {
    await submitted();
    await submitted();
    const first = await heldBy('a1');
    const outcome = await queue.completeAndClaim(reportOf(first), null, null, now + 5);
    expect(outcome.ok && outcome.value.next).to.equal(null);
    expect(queue.stats().byStatus.queued).to.equal(1);
  });
});
