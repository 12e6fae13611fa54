// The stuck and overdue timers of every task actor (machines/task-machine.ts: `armTimer`,
// `cancelTimers`, `timer.stuck`, `timer.overdue`), one DeadlineQueues each.
import type { AnyActorRef } from 'xstate';
import { DeadlineQueues, type TimerClock } from './deadline-queues.ts';

/** The two timers of the task actors. */
export class TaskTimers {
  readonly stuck: DeadlineQueues;
  readonly overdue: DeadlineQueues;

  constructor(clock?: TimerClock) {
    this.stuck = new DeadlineQueues({ type: 'timer.stuck' }, clock);
    this.overdue = new DeadlineQueues({ type: 'timer.overdue' }, clock);
  }

  /** A task actor reached an ending, or stopped: none of its timers may fire. */
  cancelAll(actor: AnyActorRef): void {
    this.stuck.cancel(actor);
    this.overdue.cancel(actor);
  }

  stop(): void {
    this.stuck.stop();
    this.overdue.stop();
  }
}
