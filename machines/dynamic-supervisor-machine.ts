// OTP's DynamicSupervisor as a state machine: one_for_one over children that come
// and go at runtime (one per agent, one per assigned task), with restart intensity.
//
// Children start the moment they are added and stop the moment they are removed:
// there is no ordered start, so adding or removing one child costs O(1) whatever
// the number of siblings (the ordered supervisor-machine sorts on every change,
// which a hub with 20k agents and thousands of task actors a second cannot afford).
// The children are kept in place (machines/child-slots.ts) for that reason; they never
// leave this machine. Each child's actor id is its slot there, and its system id its name.
import { assign, enqueueActions, not, raise, setup, stopChild } from 'xstate';
import type { AnyActorLogic } from 'xstate';
import { allowsRestart, defaultRestartIntensity, shouldRestart, type ChildExit } from './restart-policy.ts';
import type { ChildSpec } from './supervisor-plan.ts';
import { ChildSlots } from './child-slots.ts';

export interface DynamicSupervisorInput {
  intensity?: number;
  periodMs?: number;
}

export interface DynamicSupervisorContext {
  children: ChildSlots;
  intensity: number;
  periodMs: number;
  restartsInPeriod: number;
  restartCount: number;
  lastCrash: unknown;
}

export type DynamicSupervisorEvent =
  | { type: 'supervisor.add_child'; spec: ChildSpec }
  | { type: 'supervisor.remove_child'; id: string }
  | { type: 'supervisor.stop' }
  | { type: 'child.stop' }
  | { type: 'child.crashed'; id: string; error: unknown }
  | { type: `xstate.error.actor.${string}`; error: unknown }
  | { type: `xstate.done.actor.${string}`; output: unknown }
  | { type: 'supervisor.restart_expired' };

// The slot of the child a remove_child names: the transition's guard (`holdsRemovedChild`) made sure it is held.
function removedSlot({ context, event }: { context: DynamicSupervisorContext; event: DynamicSupervisorEvent }): string {
  return context.children.slotOfChild((event as Extract<DynamicSupervisorEvent, { type: 'supervisor.remove_child' }>).id)!;
}

type SpawnAny = (logic: AnyActorLogic, options: { id: string; systemId: string; input: unknown }) => unknown;

interface Exit {
  /** The child's actor id: its slot. */
  slot: string;
  exit: ChildExit;
  error: unknown;
}

function exitOf(event: DynamicSupervisorEvent): Exit | null {
  if (event.type === 'child.crashed') return { slot: event.id, exit: 'crash', error: event.error };
  if (event.type.startsWith('xstate.error.actor.')) {
    return { slot: event.type.slice('xstate.error.actor.'.length), exit: 'crash', error: (event as { error: unknown }).error };
  }
  if (event.type.startsWith('xstate.done.actor.')) return { slot: event.type.slice('xstate.done.actor.'.length), exit: 'normal', error: undefined };
  return null;
}

// Tried in order when a child goes down.
const onChildExit = [
  // A child we already removed, or an earlier incarnation of a restarted one.
  { guard: not('isExitOfKnownChild') },
  // Temporary, or transient and finished normally: forget it.
  { guard: not('exitNeedsRestart'), actions: 'handleExit' },
  { guard: 'withinIntensity', actions: 'handleExit' },
  // Past the restart intensity: stop everything and fail upward.
  { target: '#dynamicSupervisor.failed', actions: 'stopAllChildren' },
] as const;

export const dynamicSupervisorMachine = setup({
  types: {
    input: {} as DynamicSupervisorInput,
    context: {} as DynamicSupervisorContext,
    events: {} as DynamicSupervisorEvent,
  },
  actions: {
    // systemId = spec id, so the inspector and system.get() name the child. Children come from
    // events, not from setup's `actors`, so the typed spawner has no overload for them.
    startChild: assign(({ context, event, spawn }) => {
      if (event.type !== 'supervisor.add_child' || context.children.holds(event.spec.id)) return {};
      const { spec } = event;
      (spawn as unknown as SpawnAny)(spec.logic, { id: context.children.take(spec), systemId: spec.id, input: spec.input });
      return {};
    }),
    // Plain actions rather than one enqueueActions: its queue and helpers cost 2–4 µs per child.
    stopRemovedChild: stopChild(removedSlot),
    // After stopRemovedChild, which looks the slot up.
    releaseChild: (args) => args.context.children.release(removedSlot(args)),
    // A child went down: forget it, or start it again under the same id.
    handleExit: enqueueActions(({ context, event, enqueue }) => {
      const exit = exitOf(event);
      const spec = exit && context.children.specIn(exit.slot);
      if (!exit || !spec) return;
      enqueue(stopChild(exit.slot));
      context.children.release(exit.slot);
      if (!shouldRestart(spec.restart, exit.exit)) return;
      enqueue.assign({ restartsInPeriod: context.restartsInPeriod + 1, restartCount: context.restartCount + 1, lastCrash: exit.error });
      enqueue(raise({ type: 'supervisor.restart_expired' }, { delay: 'restartPeriod' }));
      // Re-added after the stop has run, so the new child takes the freed system id.
      enqueue.raise({ type: 'supervisor.add_child', spec });
    }),
    stopAllChildren: enqueueActions(({ context, enqueue }) => {
      for (const slot of context.children.slots().reverse()) enqueue(stopChild(slot));
      context.children.clear();
    }),
    expireRestart: assign({ restartsInPeriod: ({ context }) => Math.max(0, context.restartsInPeriod - 1) }),
    announceReady: enqueueActions(({ self, enqueue }) => {
      if (self._parent) enqueue.sendParent({ type: 'child.ready', id: self.id });
    }),
    announceStopped: enqueueActions(({ self, enqueue }) => {
      if (self._parent) enqueue.sendParent({ type: 'child.stopped', id: self.id });
    }),
    // XState v5 has no escalate action: an action that throws makes this actor error,
    // and its parent receives xstate.error.actor.<id>.
    escalate: ({ context, self }) => {
      throw new Error(`supervisor ${self.id} gave up: more than ${context.intensity} restarts in ${context.periodMs} ms`, {
        cause: context.lastCrash,
      });
    },
  },
  guards: {
    holdsRemovedChild: ({ context, event }) => event.type === 'supervisor.remove_child' && context.children.holds(event.id),
    isExitOfKnownChild: ({ context, event }) => {
      const exit = exitOf(event);
      return exit !== null && context.children.specIn(exit.slot) !== undefined;
    },
    exitNeedsRestart: ({ context, event }) => {
      const exit = exitOf(event)!;
      return shouldRestart(context.children.specIn(exit.slot)!.restart, exit.exit);
    },
    withinIntensity: ({ context }) => allowsRestart(context.restartsInPeriod, context.intensity),
  },
  delays: {
    restartPeriod: ({ context }) => context.periodMs,
  },
}).createMachine({
  id: 'dynamicSupervisor',
  context: ({ input }) => ({
    children: new ChildSlots(),
    intensity: input.intensity ?? defaultRestartIntensity.intensity,
    periodMs: input.periodMs ?? defaultRestartIntensity.periodMs,
    restartsInPeriod: 0,
    restartCount: 0,
    lastCrash: undefined,
  }),
  initial: 'running',
  states: {
    running: {
      entry: 'announceReady',
      on: {
        'supervisor.add_child': { actions: 'startChild' },
        'supervisor.remove_child': { guard: 'holdsRemovedChild', actions: ['stopRemovedChild', 'releaseChild'] },
        'supervisor.restart_expired': { actions: 'expireRestart' },
        'child.crashed': onChildExit,
        'xstate.error.actor.*': onChildExit,
        'xstate.done.actor.*': onChildExit,
        'supervisor.stop': { target: 'stopped', actions: 'stopAllChildren' },
        'child.stop': { target: 'stopped', actions: 'stopAllChildren' },
      },
    },
    failed: { entry: 'escalate' },
    stopped: { type: 'final', entry: 'announceStopped' },
  },
});
