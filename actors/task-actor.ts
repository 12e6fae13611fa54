// Binds the pure task machine to the hub. Storage decides and persists every
// outcome before the machine hears of it, so the only thing the actor asks for
// itself is a reclaim when one of its timers runs out.
//
// An ending (`recordOutcome`) stops the actor through its host: the supervisor hears a
// `supervisor.remove_child`, one event type for every task, rather than the
// `xstate.done.actor.<id>` a final state would send (see machines/task-machine.ts).
//
// The machine's timers are kept for every task actor together (actors/task-timers.ts).
import { taskMachine, type TaskMachineContext, type TaskTimerReason } from '../machines/task-machine.ts';
import type { AnyActorRef } from 'xstate';
import type { TaskTimers } from './task-timers.ts';

export interface TaskActorHooks {
  /** A timer in the machine ran out (stuck without progress, or past complete_by): take the task back. */
  timedOut(taskId: string, agentId: string, generation: number, reason: TaskTimerReason): void;
  /** The machine reached an ending: the actor has nothing left to watch. */
  ended(taskId: string): void;
}

export function taskActorLogic(hooks: TaskActorHooks, timers: TaskTimers) {
  return taskMachine.provide({
    actions: {
      requestReclaim: ({ context }) => hooks.timedOut(context.taskId, context.agentId, context.generation, timerReason(context)),
      recordOutcome: ({ context }) => hooks.ended(context.taskId),
      ...taskTimerActions(timers),
    },
  });
}

/** The task machine's timer slots over the task actors' shared timers. */
export function taskTimerActions(timers: TaskTimers) {
  return {
    armTimer: ({ self }: { self: AnyActorRef }, { timer, afterMs }: { timer: TaskTimerReason; afterMs: number | null }) => {
      if (afterMs !== null) timers[timer].arm(self, afterMs);
    },
    cancelTimers: ({ self }: { self: AnyActorRef }) => timers.cancelAll(self),
  };
}

function timerReason(context: TaskMachineContext): TaskTimerReason {
  return context.reclaimReason === 'overdue' ? 'overdue' : 'stuck';
}

export type TaskActorLogic = ReturnType<typeof taskActorLogic>;
