import { expect } from 'chai';
import type { Result } from '../../../storage/domain/errors.ts';
import { ApprovalStore, type NewQuestion } from '../../../storage/approval-store.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const t0 = 1_700_000_000_000;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

const question = (overrides: Partial<NewQuestion> = {}): NewQuestion => ({
  taskId: 'task-1', agentId: 'a1', generation: 1, questionId: 'q-1', question: 'Ship?', options: ['yes', 'no'], context: null, ...overrides,
});

describe('ApprovalStore (LMDB)', () => {
  let dir: TempDir;
  let store: LmdbStore;
  let approvals: ApprovalStore;

  beforeEach(() => {
    dir = makeTempDir('approval-store');
    store = openLmdbStore({ path: dir.path });
    approvals = new ApprovalStore(store);
  });

  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const stillAsked = () => null;

  it('stores a question once per agent and question id, in ask order', async () => {
    const first = value(await approvals.ask(question(), t0));
    expect(first.created).to.equal(true);
    const again = value(await approvals.ask(question({ question: 'Ship now?' }), t0 + 1));
    expect(again).to.deep.include({ created: false });
    expect(again.approval.id).to.equal(first.approval.id);
    const second = value(await approvals.ask(question({ questionId: 'q-2' }), t0 + 2));
    expect(approvals.list('pending', 10).map((a) => a.id)).to.deep.equal([first.approval.id, second.approval.id]);
    expect(approvals.count('pending')).to.equal(2);
  });

  it('answers once; a second answer and an unknown id are refused', async () => {
    const { approval } = value(await approvals.ask(question(), t0));
    const answered = value(await approvals.answer(approval.id, 'yes', 'admin:ops', t0 + 5, stillAsked));
    expect(answered).to.include({ status: 'answered', answer: 'yes', answered_by: 'admin:ops', answered_at: t0 + 5 });
    const twice = await approvals.answer(approval.id, 'no', 'admin:ops', t0 + 6, stillAsked);
    expect(twice.ok ? 'ok' : twice.code).to.equal('AC_ERR_APPROVAL_ANSWERED');
    const unknown = await approvals.answer('appr-x', 'no', null, t0, stillAsked);
    expect(unknown.ok ? 'ok' : unknown.code).to.equal('AC_ERR_APPROVAL_NOT_FOUND');
    expect(approvals.answeredFor('task-1', 1).map((a) => a.id)).to.deep.equal([approval.id]);
    expect(approvals.answeredFor('task-1', 2)).to.deep.equal([]);
  });

  it('refuses an answer once the task ended, closing the question in the same commit', async () => {
    const { approval } = value(await approvals.ask(question(), t0));
    const late = await approvals.answer(approval.id, 'yes', null, t0 + 5, () => 'completed');
    expect(late.ok ? 'ok' : late.code).to.equal('AC_ERR_APPROVAL_TASK_ENDED');
    expect(approvals.get(approval.id)).to.include({ status: 'closed', closed_reason: 'completed', answer: null });
  });

  it('closes the pending questions of an ended task and keeps answered ones', async () => {
    const answered = value(await approvals.ask(question(), t0)).approval;
    value(await approvals.answer(answered.id, 'yes', null, t0 + 1, stillAsked));
    const pending = value(await approvals.ask(question({ questionId: 'q-2' }), t0 + 2)).approval;
    const other = value(await approvals.ask(question({ questionId: 'q-3', taskId: 'task-2' }), t0 + 3)).approval;
    const closed = value(await approvals.closeForTask('task-1', 'reclaimed'));
    expect(closed.map((a) => a.id)).to.deep.equal([pending.id]);
    expect(approvals.get(answered.id)?.status).to.equal('answered');
    expect(approvals.list('pending', 10).map((a) => a.id)).to.deep.equal([other.id]);
  });

  it('closing a task with no question writes nothing; one asked but not yet stored is still closed', async () => {
    const nothing = value(await approvals.closeForTask('task-9', 'completed'));
    expect(nothing).to.deep.equal([]);
    // The ask is not durable yet when the task ends: the close must not skip it.
    const asking = approvals.ask(question({ taskId: 'task-9' }), t0);
    const closing = approvals.closeForTask('task-9', 'completed');
    const { approval } = value(await asking);
    expect(value(await closing).map((a) => a.id)).to.deep.equal([approval.id]);
    expect(approvals.get(approval.id)).to.include({ status: 'closed', closed_reason: 'completed' });
    expect(approvals.count('pending')).to.equal(0);
    // The task runs again (a retry) and asks again: its next end closes that question too.
    const again = value(await approvals.ask(question({ taskId: 'task-9', questionId: 'q-2', generation: 2 }), t0 + 1)).approval;
    expect(value(await approvals.closeForTask('task-9', 'failed')).map((a) => a.id)).to.deep.equal([again.id]);
  });

  it('closes a question left pending by the last run when its task ends in this one', async () => {
    const { approval } = value(await approvals.ask(question({ taskId: 'task-7' }), t0));
    const reopened = new ApprovalStore(store);
    expect(value(await reopened.closeForTask('task-7', 'completed')).map((a) => a.id)).to.deep.equal([approval.id]);
    expect(reopened.get(approval.id)?.status).to.equal('closed');
  });

  it('keeps questions and answers across a reopen', async () => {
    const { approval } = value(await approvals.ask(question(), t0));
    await store.close();
    store = openLmdbStore({ path: dir.path });
    approvals = new ApprovalStore(store);
    expect(approvals.get(approval.id)?.status).to.equal('pending');
    expect(value(await approvals.ask(question(), t0 + 1)).approval.id).to.equal(approval.id);
    const next = value(await approvals.ask(question({ questionId: 'q-9' }), t0 + 2)).approval;
    expect(next.seq).to.be.greaterThan(approval.seq);
  });

  it('retention removes answered and closed questions older than the cutoff, never pending ones', async () => {
    const old = value(await approvals.ask(question(), t0)).approval;
    value(await approvals.answer(old.id, 'yes', null, t0 + 1, stillAsked));
    const recent = value(await approvals.ask(question({ questionId: 'q-2' }), t0 + 100)).approval;
    value(await approvals.answer(recent.id, 'yes', null, t0 + 101, stillAsked));
    const pending = value(await approvals.ask(question({ questionId: 'q-3' }), t0)).approval;
    expect(value(await approvals.removeExpired(t0 + 50, 100))).to.equal(1);
    expect(approvals.get(old.id)).to.equal(undefined);
    expect(approvals.get(recent.id)?.status).to.equal('answered');
    expect(approvals.get(pending.id)?.status).to.equal('pending');
    // The removed question's id is free again: asked anew it is a new question.
    expect(value(await approvals.ask(question(), t0 + 200)).created).to.equal(true);
  });
});
