// The part of a task's life before it enters a lane: `waiting` on its dependencies.
//
// A task submitted with unfinished dependencies starts here. Each dependency that
// settles is one event; the machine decides whether the task stays waiting, is
// released into its lane, fails with its dependency (policy `fail`) or is cancelled
// with it (cancel with cascade). Storage runs it inside the transaction that settled
// the dependency (xstate's pure `transition`), so the rule lives here once and the
// outcome is durable in the same commit. The task machine takes over once the task
// is assigned.
import { assign, setup } from 'xstate';

export type DependencyFailurePolicy = 'fail' | 'ignore';

export interface TaskWaitingContext {
  /** Dependencies not yet settled as done. */
  remaining: number;
  policy: DependencyFailurePolicy;
  /** The dependency whose failure ended the wait (state `dependency_failed`). */
  failedDependency: string | null;
}

export type TaskWaitingEvent =
  | { type: 'dependency.completed'; taskId: string }
  | { type: 'dependency.failed'; taskId: string }
  | { type: 'dependency.cancelled'; taskId: string; cascade: boolean };

export type TaskWaitingOutcome = 'waiting' | 'released' | 'dependency_failed' | 'cancelled';

export const taskWaitingMachine = setup({
  types: {
    input: {} as { remaining: number; policy: DependencyFailurePolicy },
    context: {} as TaskWaitingContext,
    events: {} as TaskWaitingEvent,
  },
  actions: {
    countDown: assign({ remaining: ({ context }) => context.remaining - 1 }),
    recordFailure: assign({ failedDependency: ({ event }) => event.taskId }),
  },
  guards: {
    nothingLeft: ({ context }) => context.remaining <= 0,
    ignoresFailures: ({ context }) => context.policy === 'ignore',
    cascades: ({ event }) => event.type === 'dependency.cancelled' && event.cascade,
  },
}).createMachine({
  id: 'taskWaiting',
  context: ({ input }) => ({ remaining: input.remaining, policy: input.policy, failedDependency: null }),
  initial: 'waiting',
  states: {
    waiting: {
      always: { guard: 'nothingLeft', target: 'released' },
      on: {
        'dependency.completed': { actions: 'countDown' },
        'dependency.failed': [
          { guard: 'ignoresFailures', actions: 'countDown' },
          { target: 'dependency_failed', actions: 'recordFailure' },
        ],
        'dependency.cancelled': [
          { guard: 'cascades', target: 'cancelled' },
          { guard: 'ignoresFailures', actions: 'countDown' },
          { target: 'dependency_failed', actions: 'recordFailure' },
        ],
      },
    },
    released: { type: 'final' },
    dependency_failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
