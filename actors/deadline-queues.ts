// One kind of timer (a task's stuck timer, an agent's acceptance timeout…) for every actor
// that arms one, kept in one structure with one native timer, instead of one XState delayed
// event per actor and state.
//
// The machine decides when its timer is armed and for how long (an `armTimer` slot on entry of
// the states that watch it) and what happens when it runs out (a `timer.*` transition); this
// only keeps the deadlines and sends the event. XState's scheduler gave every arm a
// scheduled-event record, a key in the system's dictionary-mode table of delayed events and a
// native `setTimeout`, and every state left or re-entered a cancel: per task, for the task actor
// alone, two schedules and two cancels.
//
// Deadlines are queued per delay: a timer's delay is mostly one setting for every actor, so its queue is
// in deadline order by construction (a re-arm moves the actor to the end), and arming is a map
// delete and set. One native timer per kind waits for the earliest head. Deadlines of other
// lengths (a parked agent's, a task's own complete_by) make queues of their own; a wake walks the
// heads of all of them.
import type { AnyActorRef } from 'xstate';

export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: TimerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // The hub's sockets keep the process alive; a deadline minutes away must not hold its exit.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** setTimeout fires at once for delays past 2^31 - 1 ms (about 24.8 days): wake then and wait again. */
const maxWaitMs = 2 ** 31 - 1;

/** One kind of deadline (stuck, or overdue) for every actor, each sent `event` when its deadline passes. */
export class DeadlineQueues {
  private readonly queues = new Map<number, Map<AnyActorRef, number>>();
  private readonly delayOf = new Map<AnyActorRef, number>();
  private handle: unknown = null;
  private wakeAt = Infinity;

  constructor(private readonly event: { type: string }, private readonly clock: TimerClock = systemClock) {}

  /** Arms (or re-arms, replacing the deadline it had) the actor's deadline `afterMs` from now. */
  arm(actor: AnyActorRef, afterMs: number): void {
    this.cancel(actor);
    const delay = Math.max(0, afterMs);
    const at = this.clock.now() + delay;
    let queue = this.queues.get(delay);
    if (!queue) this.queues.set(delay, (queue = new Map()));
    queue.set(actor, at);
    this.delayOf.set(actor, delay);
    if (at < this.wakeAt) this.wakeFor(at);
  }

  cancel(actor: AnyActorRef): void {
    const delay = this.delayOf.get(actor);
    if (delay === undefined) return;
    this.delayOf.delete(actor);
    const queue = this.queues.get(delay)!;
    queue.delete(actor);
    if (queue.size === 0) this.queues.delete(delay);
    // The native timer stays armed for a deadline no longer there: it wakes, finds nothing due, and waits again.
  }

  /** How many actors have a deadline armed. */
  get size(): number {
    return this.delayOf.size;
  }

  stop(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
    this.wakeAt = Infinity;
    this.queues.clear();
    this.delayOf.clear();
  }

  private wakeFor(at: number): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.wakeAt = at;
    this.handle = this.clock.setTimeout(() => this.wake(), Math.min(maxWaitMs, Math.max(0, at - this.clock.now())));
  }

  private wake(): void {
    this.handle = null;
    this.wakeAt = Infinity;
    const now = this.clock.now();
    let next = Infinity;
    for (const queue of this.queues.values()) {
      for (;;) {
        const head = queue.entries().next();
        if (head.done) break;
        const [actor, at] = head.value;
        if (at > now) {
          next = Math.min(next, at);
          break;
        }
        // Taken off before the event, so a transition that arms again queues a fresh deadline.
        this.cancel(actor);
        // An actor stopped without reaching an ending (its supervisor stopped it) hears nothing.
        if (actor.getSnapshot().status === 'active') actor.send(this.event);
      }
    }
    // Events sent above may have armed deadlines earlier than `next`: arm() then set the wake already.
    if (next < this.wakeAt) this.wakeFor(next);
  }
}
