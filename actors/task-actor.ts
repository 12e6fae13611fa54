// Binds the pure task machine to the hub. Reports from agents are persisted
// (and fenced) by the queue before they reach the machine, so the only outcomes
// the actor must persist itself are the ones its own timers decide.
import { taskMachine, type TaskMachineContext, type TaskOutcome, type TaskReclaimReason } from '../machines/task-machine.ts';

export interface TaskActorHooks {
  /** A timer in the machine reclaimed the task (stuck without progress, or past complete_by). */
  timedOut(taskId: string, agentId: string, generation: number, reason: Extract<TaskReclaimReason, 'stuck' | 'overdue'>): void;
  /** The actor reached a final state; the host stops and forgets it. */
  finished(taskId: string, outcome: TaskOutcome): void;
}

const timerReasons = new Set<TaskReclaimReason>(['stuck', 'overdue']);

export function taskActorLogic(hooks: TaskActorHooks) {
  return taskMachine.provide({
    actions: {
      recordOutcome: ({ context }, { outcome }) => {
        if (outcome === 'reclaimed' && isTimerReclaim(context)) {
          hooks.timedOut(context.taskId, context.agentId, context.generation, context.reclaimReason);
        }
        hooks.finished(context.taskId, outcome);
      },
      // The queue already refused such a report with the same reason; nothing to add here.
      rejectReport: () => {},
    },
  });
}

function isTimerReclaim(context: TaskMachineContext): context is TaskMachineContext & { reclaimReason: 'stuck' | 'overdue' } {
  return context.reclaimReason !== null && timerReasons.has(context.reclaimReason);
}

export type TaskActorLogic = ReturnType<typeof taskActorLogic>;
