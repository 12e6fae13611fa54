// XState keeps every delayed event of an actor system (each `after` timer of every agent
// and task actor) in one object, and on every actor stop `cancelAll` walks all of them to
// find the stopped actor's own. Each task's end (its actor stops) then cost in proportion
// to the timers of the whole fleet: about 2,000 with 1,000 agents busy (each agent's
// acceptance timer, each task's stuck timer), the largest per-agent scan left in the
// 1,000-agent drain.
//
// This keeps, beside XState's own table, the ids each actor scheduled, so a stop cancels
// only its own. XState's schedule and cancel still do the work; only the lookup changes.
// Ids of timers that already fired may linger in an actor's set until it stops: cancelling
// them again is a no-op, and `after` timers reuse one id per state, so a set stays small.
import type { AnyActorRef } from 'xstate';

interface Scheduler {
  schedule(source: AnyActorRef, target: AnyActorRef, event: unknown, delay: number, id?: string): void;
  cancel(source: AnyActorRef, id: string): void;
  cancelAll(actorRef: AnyActorRef): void;
}

let nextId = 0;

/** Installs the per-actor index on a running system's scheduler; once per system. */
export function indexTimersByActor(system: { scheduler: Scheduler }): void {
  const { scheduler } = system;
  const schedule = scheduler.schedule.bind(scheduler);
  const cancel = scheduler.cancel.bind(scheduler);
  const idsOf = new WeakMap<AnyActorRef, Set<string>>();

  scheduler.schedule = (source, target, event, delay, id = `t${(nextId++).toString(36)}`) => {
    schedule(source, target, event, delay, id);
    let ids = idsOf.get(source);
    if (!ids) idsOf.set(source, (ids = new Set()));
    ids.add(id);
  };
  scheduler.cancel = (source, id) => {
    cancel(source, id);
    idsOf.get(source)?.delete(id);
  };
  scheduler.cancelAll = (actorRef) => {
    const ids = idsOf.get(actorRef);
    if (!ids) return;
    idsOf.delete(actorRef);
    for (const id of ids) cancel(actorRef, id);
  };
}
