// Agents' questions mid-task, kept until answered or closed (runtime/approvals.ts uses them).
//
// LMDB databases (opened here, on the hub's environment):
//   approvals            id → ApprovalRecord
//   approval_questions   [agent id, question id] → approval id: a sidecar that asks the same
//                        question again (after a reconnect or a hub restart) gets the same
//                        approval, and its answer if it has one, never a second entry
//   approvals_by_status  [status, seq] → approval id: the inbox in ask order, without a scan
//   approvals_by_task    [task id, seq] → approval id: what to close when a task ends
// Every change is one transaction and resolves once durable, so a question the sidecar was
// told is stored, and an answer the operator was told is recorded, survive kill -9.
import type { Database } from 'lmdb';
import { fail, ok, type Result } from './domain/errors.ts';
import { durableWrite, prefixRange } from './durable-write.ts';
import type { LmdbStore } from './lmdb-store.ts';
import { randomHex } from './random-hex.ts';

export const approvalStatuses = ['pending', 'answered', 'closed'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

export interface ApprovalRecord {
  id: string;
  seq: number;
  task_id: string;
  agent_id: string;
  /** The assignment the question was asked under; an answer reaches only that one. */
  generation: number;
  /** The sidecar's id for the question, stable across its re-asks. */
  question_id: string;
  question: string;
  /** Answers the agent offers to choose from; null for a free answer. */
  options: string[] | null;
  context: Record<string, unknown> | null;
  status: ApprovalStatus;
  asked_at: number;
  answer: string | null;
  answered_at: number | null;
  answered_by: string | null;
  /** Why a question was closed unanswered (its task ended: `completed`, `cancelled`…). */
  closed_reason: string | null;
}

export interface NewQuestion {
  taskId: string;
  agentId: string;
  generation: number;
  questionId: string;
  question: string;
  options: string[] | null;
  context: Record<string, unknown> | null;
}

type StatusKey = [status: string, seq: number];
type TaskKey = [taskId: string, seq: number];
type QuestionKey = [agentId: string, questionId: string];

const seqKey = 'approval_seq';

export class ApprovalStore {
  private readonly approvals: Database<ApprovalRecord, string>;
  private readonly byQuestion: Database<string, QuestionKey>;
  private readonly byStatus: Database<string, StatusKey>;
  private readonly byTask: Database<string, TaskKey>;
  private seq: number;
  /**
   * Tasks that may have a pending question (a superset: loaded at open, added at each ask, and
   * dropped once a close of the task has committed with no ask for it issued since). Most tasks
   * never ask: their end then costs no read and no write.
   */
  private readonly mayHavePending = new Set<string>();
  /** Order of ask and close calls: lmdb runs their transaction callbacks in this order. */
  private calls = 0;
  private readonly lastAskCall = new Map<string, number>();

  constructor(private readonly store: LmdbStore) {
    // Through the live environment, as every database: a compaction swaps the file under them
    // (a handle of store.root kept the old, closed file, and the dashboard state failed after one).
    this.approvals = store.live.database('approvals', {});
    this.byQuestion = store.live.database('approval_questions', {});
    this.byStatus = store.live.database('approvals_by_status', {});
    this.byTask = store.live.database('approvals_by_task', {});
    this.seq = (store.meta.get(seqKey) as number | undefined) ?? 0;
    for (const approval of this.list('pending', Infinity)) this.mayHavePending.add(approval.task_id);
  }

  /** Stores a question, or finds the one this agent already asked under the same question id. */
  ask(question: NewQuestion, now: number): Promise<Result<{ approval: ApprovalRecord; created: boolean }>> {
    this.mayHavePending.add(question.taskId);
    this.lastAskCall.set(question.taskId, ++this.calls);
    return durableWrite(this.store, () => {
      const existingId = this.byQuestion.get([question.agentId, question.questionId]);
      const existing = existingId === undefined ? undefined : this.approvals.get(existingId);
      if (existing) return ok({ approval: existing, created: false as boolean });
      const seq = Math.max(this.seq, (this.store.meta.get(seqKey) as number | undefined) ?? 0) + 1;
      this.seq = seq;
      const approval: ApprovalRecord = {
        id: `appr-${randomHex(8)}`, seq, task_id: question.taskId, agent_id: question.agentId, generation: question.generation,
        question_id: question.questionId, question: question.question, options: question.options, context: question.context,
        status: 'pending', asked_at: now, answer: null, answered_at: null, answered_by: null, closed_reason: null,
      };
      this.store.meta.put(seqKey, seq);
      this.approvals.put(approval.id, approval);
      this.byQuestion.put([approval.agent_id, approval.question_id], approval.id);
      this.byStatus.put(['pending', seq], approval.id);
      this.byTask.put([approval.task_id, seq], approval.id);
      return ok({ approval, created: true });
    });
  }

  /**
   * Records an operator's answer. `stillAsked` is checked inside the transaction: it refuses
   * an answer to a question whose task has ended (the question is closed in the same commit).
   */
  answer(id: string, answer: string, by: string | null, now: number, stillAsked: (approval: ApprovalRecord) => string | null): Promise<Result<ApprovalRecord>> {
    return durableWrite(this.store, () => {
      const approval = this.approvals.get(id);
      if (!approval) return fail('AC_ERR_APPROVAL_NOT_FOUND', id);
      if (approval.status === 'answered') return fail('AC_ERR_APPROVAL_ANSWERED', id, approval.answered_by ?? 'someone');
      const ended = approval.status === 'closed' ? approval.closed_reason ?? 'ended' : stillAsked(approval);
      if (ended !== null) {
        if (approval.status === 'pending') this.move(approval, { status: 'closed', closed_reason: ended });
        return fail('AC_ERR_APPROVAL_TASK_ENDED', id, approval.task_id, ended);
      }
      return ok(this.move(approval, { status: 'answered', answer, answered_at: now, answered_by: by }));
    });
  }

  /** Closes every pending question of a task that ended; resolves to those closed. */
  async closeForTask(taskId: string, reason: string): Promise<Result<ApprovalRecord[]>> {
    // Nearly every task ends with no question asked: nothing to read, write or wait for.
    if (!this.mayHavePending.has(taskId)) return ok([]);
    const call = ++this.calls;
    const closed = await durableWrite(this.store, () => ok(this.pendingOf(taskId).map((approval) => this.move(approval, { status: 'closed', closed_reason: reason }))));
    // An ask issued before this close ran its transaction before it, so it was closed here; one issued since may be pending.
    if (closed.ok && (this.lastAskCall.get(taskId) ?? 0) < call) {
      this.mayHavePending.delete(taskId);
      this.lastAskCall.delete(taskId);
    }
    return closed;
  }

  /** Closes each pending question `endedReason` names a reason for (a sweep after restart). */
  closeEnded(endedReason: (approval: ApprovalRecord) => string | null): Promise<Result<ApprovalRecord[]>> {
    return durableWrite(this.store, () => {
      const closed: ApprovalRecord[] = [];
      for (const approval of this.list('pending', Infinity)) {
        const reason = endedReason(approval);
        if (reason !== null) closed.push(this.move(approval, { status: 'closed', closed_reason: reason }));
      }
      return ok(closed);
    });
  }

  /**
   * Retention: deletes up to `max` answered or closed approvals whose last change is before
   * `cutoff`, oldest first, with every index entry. Pending ones are never removed.
   */
  removeExpired(cutoff: number, max: number): Promise<Result<number>> {
    return durableWrite(this.store, () => {
      const expired: ApprovalRecord[] = [];
      for (const status of ['answered', 'closed'] as const) {
        for (const approval of this.list(status, max)) {
          if (expired.length >= max) break;
          if ((approval.answered_at ?? approval.asked_at) < cutoff) expired.push(approval);
        }
      }
      for (const approval of expired) {
        this.approvals.remove(approval.id);
        this.byStatus.remove([approval.status, approval.seq]);
        this.byTask.remove([approval.task_id, approval.seq]);
        if (this.byQuestion.get([approval.agent_id, approval.question_id]) === approval.id) this.byQuestion.remove([approval.agent_id, approval.question_id]);
      }
      return ok(expired.length);
    });
  }

  get(id: string): ApprovalRecord | undefined {
    return this.approvals.get(id);
  }

  /** Approvals of one status in ask order, oldest first. */
  list(status: ApprovalStatus, limit: number): ApprovalRecord[] {
    const found: ApprovalRecord[] = [];
    for (const { value: id } of this.byStatus.getRange({ start: [status], end: [status, Infinity] })) {
      if (found.length >= limit) break;
      const approval = this.approvals.get(id);
      if (approval) found.push(approval);
    }
    return found;
  }

  count(status: ApprovalStatus): number {
    return this.byStatus.getCount({ start: [status], end: [status, Infinity] });
  }

  /** The answered questions of an agent's current task, for resending after a reconnect. */
  answeredFor(taskId: string, generation: number): ApprovalRecord[] {
    return this.ofTask(taskId).filter((approval) => approval.status === 'answered' && approval.generation === generation);
  }

  private pendingOf(taskId: string): ApprovalRecord[] {
    return this.ofTask(taskId).filter((approval) => approval.status === 'pending');
  }

  private ofTask(taskId: string): ApprovalRecord[] {
    const found: ApprovalRecord[] = [];
    for (const { value: id } of this.byTask.getRange(prefixRange(taskId))) {
      const approval = this.approvals.get(id);
      if (approval) found.push(approval);
    }
    return found;
  }

  /** Inside a transaction: the record with `changes`, re-indexed under its new status. */
  private move(approval: ApprovalRecord, changes: Partial<ApprovalRecord>): ApprovalRecord {
    const next = { ...approval, ...changes };
    if (next.status !== approval.status) {
      this.byStatus.remove([approval.status, approval.seq]);
      this.byStatus.put([next.status, next.seq], next.id);
    }
    this.approvals.put(next.id, next);
    return next;
  }
}
