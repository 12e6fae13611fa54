// The approval gate on LMDB: an operator's approve or reject of a task that is
// `awaiting_approval`, written in the queue's write transaction.
//
// What the decision does to the task is decided by `taskApprovalMachine`
// (machines/task-approval-machine.ts); here its facts are read (how the dependencies
// stand now, whether not_before is still ahead) and its outcome is stored with every
// index, the dependency edges and the waiting entry, in one commit.
import { transition as machineTransition } from 'xstate';
import { taskApprovalMachine, type TaskApprovalEvent, type TaskApprovalOutcome } from '../machines/task-approval-machine.ts';
import { fail, ok, type Result } from './domain/errors.ts';
import type { TaskApproval } from './domain/task.ts';
import type { DependencyIndex } from './dependency-index.ts';
import type { LmdbStore } from './lmdb-store.ts';
import type { ApprovalDecisionInput } from './queue-engine.ts';
import type { TaskIndexes } from './task-indexes.ts';
import { transition, type TaskRecord } from './task-record.ts';

export function approvalGate(store: LmdbStore, indexes: () => TaskIndexes, dependencies: () => DependencyIndex) {
  return {
    /** Reads tasks[id] and the dependencies' records; writes the task, its indexes, its edges and dependents. */
    decide(taskId: string, input: ApprovalDecisionInput, now: number): Result<TaskRecord> {
      const action = input.decision === 'approved' ? 'approve' : 'reject';
      const task = store.tasks.get(taskId);
      if (!task) {
        const dead = store.deadLetters.get(taskId);
        return dead ? fail('AC_ERR_INVALID_STATE', taskId, 'dead_letter', action, 'awaiting_approval') : fail('AC_ERR_TASK_NOT_FOUND', taskId);
      }
      if (task.status !== 'awaiting_approval') return fail('AC_ERR_INVALID_STATE', taskId, task.status, action, 'awaiting_approval');
      const approval: TaskApproval = {
        decision: input.decision, decided_at: now, decided_by: input.by,
        reason: input.decision === 'rejected' ? input.reason : input.note,
      };
      if (input.decision === 'rejected') {
        approvalStep({ type: 'approval.rejected' });
        const rejected = transition(task, { status: 'cancelled', approval, last_error: `rejected: ${input.reason}` }, 'cancelled', now, {
          reason: 'rejected', rejection: input.reason, by: input.by,
        });
        indexes().putActive(task, rejected);
        dependencies().settle(rejected, now);
        return ok(rejected);
      }

      const dependsOn = task.depends_on ?? [];
      const standing = dependsOn.length > 0 ? dependencies().standing(dependsOn, task.on_dependency_failure === 'ignore' ? 'ignore' : 'fail') : null;
      // A dependency purged while the task waited for approval can never complete: it counts as failed.
      const failedDependency = standing ? (standing.missing[0] ?? (standing.outcome === 'dependency_failed' ? standing.failedDependency : null)) : null;
      const outcome = approvalStep({
        type: 'approval.approved',
        dependencies: failedDependency !== null ? 'failed' : standing?.outcome === 'waiting' ? 'unfinished' : 'none_unfinished',
        delayed: task.not_before !== null && task.not_before > now,
      });
      const details = { by: input.by, next: outcome };
      if (outcome === 'dependency_failed') {
        const dead = transition(task, {
          status: 'dead_letter', approval, failed_dependency: failedDependency, last_error: `dependency ${failedDependency} failed`,
        }, 'approved', now, { ...details, reason: 'dependency_failed', dependency: failedDependency });
        indexes().moveToDeadLetters(task, dead);
        if (standing) dependencies().link(dead, standing);
        dependencies().settle(dead, now);
        return ok(dead);
      }
      const approved = transition(task, { status: outcome as 'waiting' | 'delayed' | 'queued', approval }, 'approved', now, details);
      indexes().putActive(task, approved);
      if (standing) dependencies().link(approved, standing);
      return ok(approved);
    },
  };
}

/** One step of the gate from `awaiting_approval`: the machine's answer for this decision and these facts. */
export function approvalStep(event: TaskApprovalEvent): TaskApprovalOutcome {
  const [next] = machineTransition(taskApprovalMachine, taskApprovalMachine.resolveState({ value: 'awaiting_approval' }), event);
  return next.value as TaskApprovalOutcome;
}
