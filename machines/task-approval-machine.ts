// The approval gate: the first part of a gated task's life, before it waits on its
// dependencies or its delay and before it enters a lane.
//
// A task submitted with `requires_approval: true` starts in `awaiting_approval` and is
// never offered to an agent there. An operator's decision is one event:
//   - approved: the task goes on its way in, and this machine decides the order of
//     the gates that remain. Dependencies first (a failed one dead-letters the task
//     with reason `dependency_failed`, unfinished ones make it `waiting`), then its
//     not_before (`delayed`), then its lane (`queued`).
//   - rejected: the task ends as `cancelled` with reason `rejected`, so its dependents
//     follow their own failure policy as for any cancel.
// (An operator's plain cancel ends a gated task as it ends any task outside a lane;
// that is no decision of the gate.) Storage runs this machine with xstate's pure
// `transition` inside the transaction that records the decision, so the decision and
// the task's next status are one durable commit.
import { setup } from 'xstate';

/** How the task's dependencies stand at the moment it is approved. */
export type DependencyStandingAtApproval = 'none_unfinished' | 'unfinished' | 'failed';

export type TaskApprovalEvent =
  | { type: 'approval.approved'; dependencies: DependencyStandingAtApproval; delayed: boolean }
  | { type: 'approval.rejected' };

/** Where the gate leaves the task: its next status, or `rejected` (stored as cancelled). */
export type TaskApprovalOutcome = 'awaiting_approval' | 'dependency_failed' | 'waiting' | 'delayed' | 'queued' | 'rejected';

export const taskApprovalMachine = setup({
  types: {
    events: {} as TaskApprovalEvent,
  },
  guards: {
    dependencyFailed: ({ event }) => event.type === 'approval.approved' && event.dependencies === 'failed',
    dependenciesUnfinished: ({ event }) => event.type === 'approval.approved' && event.dependencies === 'unfinished',
    notBeforeAhead: ({ event }) => event.type === 'approval.approved' && event.delayed,
  },
}).createMachine({
  id: 'taskApproval',
  initial: 'awaiting_approval',
  states: {
    awaiting_approval: {
      on: {
        'approval.approved': [
          { guard: 'dependencyFailed', target: 'dependency_failed' },
          { guard: 'dependenciesUnfinished', target: 'waiting' },
          { guard: 'notBeforeAhead', target: 'delayed' },
          { target: 'queued' },
        ],
        'approval.rejected': { target: 'rejected' },
      },
    },
    dependency_failed: { type: 'final' },
    waiting: { type: 'final' },
    delayed: { type: 'final' },
    queued: { type: 'final' },
    rejected: { type: 'final' },
  },
});
