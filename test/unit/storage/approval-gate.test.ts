import { expect } from 'chai';
import type { Result } from '../../../storage/domain/errors.ts';
import { approvalStep } from '../../../storage/approval-gate.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { NewTask, TaskRecord } from '../../../storage/task-record.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const t0 = 1_700_000_000_000;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

describe('approval gate (task-approval-machine on LMDB)', () => {
  let dir: TempDir;
  let queue: LmdbTaskQueue;

  beforeEach(() => {
    dir = makeTempDir('approval-gate');
    queue = LmdbTaskQueue.open(dir.path);
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  async function submit(overrides: Partial<NewTask> = {}, now = t0): Promise<TaskRecord> {
    return value(await queue.submit(newTask(overrides), now)).task;
  }

  const approve = (id: string, now = t0 + 10) => queue.decideApproval(id, { decision: 'approved', by: 'admin:ops', note: null }, now);
  const reject = (id: string, reason = 'too risky', now = t0 + 10) => queue.decideApproval(id, { decision: 'rejected', by: 'admin:ops', reason }, now);

  it('decides the order of the gates left after approval: failed dependency, unfinished dependency, delay, lane', () => {
    expect(approvalStep({ type: 'approval.approved', dependencies: 'failed', delayed: true })).to.equal('dependency_failed');
    expect(approvalStep({ type: 'approval.approved', dependencies: 'unfinished', delayed: true })).to.equal('waiting');
    expect(approvalStep({ type: 'approval.approved', dependencies: 'none_unfinished', delayed: true })).to.equal('delayed');
    expect(approvalStep({ type: 'approval.approved', dependencies: 'none_unfinished', delayed: false })).to.equal('queued');
    expect(approvalStep({ type: 'approval.rejected' })).to.equal('rejected');
  });

  it('keeps a gated task out of every lane until it is approved', async () => {
    const gated = await submit({ requiresApproval: true });
    expect(gated.status).to.equal('awaiting_approval');
    expect(gated.approval).to.deep.equal({ decision: 'pending', decided_at: null, decided_by: null, reason: null });
    expect(value(await queue.claimNext('a1', [], t0 + 1))).to.equal(null);
    expect(queue.stats().byStatus.awaiting_approval).to.equal(1);

    const approved = value(await approve(gated.id));
    expect(approved.status).to.equal('queued');
    expect(approved.approval).to.include({ decision: 'approved', decided_by: 'admin:ops', decided_at: t0 + 10 });
    expect(approved.history[0]).to.deep.include({ event: 'approved', details: { by: 'admin:ops', next: 'queued' } });
    expect(queue.stats().byStatus.awaiting_approval).to.equal(0);
    expect(value(await queue.claimNext('a1', [], t0 + 11))?.id).to.equal(gated.id);
  });

  it('keeps its place in the lane: an approved task is claimed before a later ungated one', async () => {
    const gated = await submit({ requiresApproval: true });
    await submit();
    value(await approve(gated.id));
    expect(value(await queue.claimNext('a1', [], t0 + 11))?.id).to.equal(gated.id);
  });

  it('rejects into cancelled with reason rejected, and a second decision is refused', async () => {
    const gated = await submit({ requiresApproval: true });
    const rejected = value(await reject(gated.id, 'not this week'));
    expect(rejected).to.include({ status: 'cancelled', last_error: 'rejected: not this week' });
    expect(rejected.approval).to.include({ decision: 'rejected', reason: 'not this week' });
    expect(rejected.history[0]).to.deep.include({ event: 'cancelled', details: { reason: 'rejected', rejection: 'not this week', by: 'admin:ops' } });
    const again = await approve(gated.id);
    expect(again.ok ? 'ok' : again.code).to.equal('AC_ERR_INVALID_STATE');
    const unknown = await approve('task-nope');
    expect(unknown.ok ? 'ok' : unknown.code).to.equal('AC_ERR_TASK_NOT_FOUND');
  });

  it('refuses to decide on a task that is not awaiting approval, changing nothing', async () => {
    const plain = await submit();
    const refused = await approve(plain.id);
    expect(refused.ok ? 'ok' : refused.code).to.equal('AC_ERR_INVALID_STATE');
    expect(queue.get(plain.id)?.status).to.equal('queued');
  });

  it('approval comes first: a gated task with an unfinished dependency waits on it only after approval', async () => {
    const dependency = await submit();
    const gated = await submit({ requiresApproval: true, dependsOn: [dependency.id] });
    expect(gated.status).to.equal('awaiting_approval');
    expect(queue.remainingDependencies(gated.id)).to.equal(null);

    const approved = value(await approve(gated.id));
    expect(approved.status).to.equal('waiting');
    expect(queue.remainingDependencies(gated.id)).to.equal(1);

    const claimed = value(await queue.claimNext('a1', [], t0 + 20))!;
    value(await queue.complete({ taskId: claimed.id, agentId: 'a1', generation: claimed.generation }, {}, null, t0 + 21));
    expect(queue.get(gated.id)?.status).to.equal('queued');
  });

  it('a dependency that completes while the task awaits approval is counted at approval', async () => {
    const dependency = await submit();
    const gated = await submit({ requiresApproval: true, dependsOn: [dependency.id] });
    const claimed = value(await queue.claimNext('a1', [], t0 + 1))!;
    value(await queue.complete({ taskId: claimed.id, agentId: 'a1', generation: claimed.generation }, {}, null, t0 + 2));
    expect(queue.get(gated.id)?.status).to.equal('awaiting_approval');
    expect(value(await approve(gated.id)).status).to.equal('queued');
  });

  it('a dependency that failed before approval dead-letters the task at approval, not before', async () => {
    const dependency = await submit({ maxRetries: 0 });
    const gated = await submit({ requiresApproval: true, dependsOn: [dependency.id] });
    const claimed = value(await queue.claimNext('a1', [], t0 + 1))!;
    value(await queue.fail({ taskId: claimed.id, agentId: 'a1', generation: claimed.generation }, 'boom', t0 + 2));
    expect(queue.get(gated.id)?.status).to.equal('awaiting_approval');
    const approved = value(await approve(gated.id));
    expect(approved).to.include({ status: 'dead_letter', failed_dependency: dependency.id });
  });

  it('a delayed gated task is delayed after approval while not_before is ahead, queued once it passed', async () => {
    const early = await submit({ requiresApproval: true, notBefore: t0 + 1_000 });
    expect(early.status).to.equal('awaiting_approval');
    expect(value(await approve(early.id, t0 + 10)).status).to.equal('delayed');
    const late = await submit({ requiresApproval: true, notBefore: t0 + 1_000 });
    expect(value(await approve(late.id, t0 + 2_000)).status).to.equal('queued');
  });

  it('rejecting a gated dependency settles its dependents by their policy', async () => {
    const gated = await submit({ requiresApproval: true });
    const failing = await submit({ dependsOn: [gated.id] });
    const ignoring = await submit({ dependsOn: [gated.id], onDependencyFailure: 'ignore' });
    expect(failing.status).to.equal('waiting');
    value(await reject(gated.id));
    expect(queue.get(failing.id)?.status).to.equal('dead_letter');
    expect(queue.get(ignoring.id)?.status).to.equal('queued');
  });

  it('can be cancelled while awaiting approval', async () => {
    const gated = await submit({ requiresApproval: true });
    expect(value(await queue.cancel(gated.id, t0 + 5)).status).to.equal('cancelled');
  });

  it('survives a reopen still awaiting approval, and the decision survives one too', async () => {
    const gated = await submit({ requiresApproval: true });
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.get(gated.id)?.status).to.equal('awaiting_approval');
    expect(queue.stats().byStatus.awaiting_approval).to.equal(1);
    value(await approve(gated.id));
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.get(gated.id)?.status).to.equal('queued');
    expect(queue.stats().queuedByPriority['2']).to.equal(1);
  });
});
