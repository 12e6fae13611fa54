// Binds the pure task machine to the hub. Storage decides and persists every
// outcome before the machine hears of it, so the only thing the actor asks for
// itself is a reclaim when one of its timers runs out.
//
// A final state needs no hook: its supervisor hears xstate.done.actor for the
// temporary child and forgets it (an explicit stop per task cost a supervisor event).
import { taskMachine, type TaskMachineContext, type TaskTimerReason } from '../machines/task-machine.ts';

export interface TaskActorHooks {
  /** A timer in the machine ran out (stuck without progress, or past complete_by): take the task back. */
  timedOut(taskId: string, agentId: string, generation: number, reason: TaskTimerReason): void;
}

export function taskActorLogic(hooks: TaskActorHooks) {
  return taskMachine.provide({
    actions: {
      requestReclaim: ({ context }) => hooks.timedOut(context.taskId, context.agentId, context.generation, timerReason(context)),
    },
  });
}

function timerReason(context: TaskMachineContext): TaskTimerReason {
  return context.reclaimReason === 'overdue' ? 'overdue' : 'stuck';
}

export type TaskActorLogic = ReturnType<typeof taskActorLogic>;
