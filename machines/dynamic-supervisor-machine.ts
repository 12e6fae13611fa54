// OTP's DynamicSupervisor as a state machine: one_for_one over children that come
// and go at runtime (one per agent, one per assigned task), with restart intensity.
//
// Children start the moment they are added and stop the moment they are removed:
// there is no ordered start, so adding or removing one child costs O(1) whatever
// the number of siblings (the ordered supervisor-machine sorts on every change,
// which a hub with 20k agents and thousands of task actors a second cannot afford).
// The child map is mutated in place inside `assign` for that reason; it never
// leaves this machine.
import { assign, enqueueActions, not, raise, setup, stopChild } from 'xstate';
import type { AnyActorLogic } from 'xstate';
import { allowsRestart, defaultRestartIntensity, shouldRestart, type ChildExit } from './restart-policy.ts';
import type { ChildSpec } from './supervisor-plan.ts';

export interface DynamicSupervisorInput {
  intensity?: number;
  periodMs?: number;
}

export interface DynamicSupervisorContext {
  children: Map<string, ChildSpec>;
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

interface Exit {
  id: string;
  exit: ChildExit;
  error: unknown;
}

function exitOf(event: DynamicSupervisorEvent): Exit | null {
  if (event.type === 'child.crashed') return { id: event.id, exit: 'crash', error: event.error };
  if (event.type.startsWith('xstate.error.actor.')) {
    return { id: event.type.slice('xstate.error.actor.'.length), exit: 'crash', error: (event as { error: unknown }).error };
  }
  if (event.type.startsWith('xstate.done.actor.')) return { id: event.type.slice('xstate.done.actor.'.length), exit: 'normal', error: undefined };
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
    startChild: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'supervisor.add_child' || context.children.has(event.spec.id)) return;
      const { spec } = event;
      context.children.set(spec.id, spec);
      // systemId = spec id, so the inspector and system.get() name the child. Children come
      // from events, not from setup's `actors`, so the typed spawner has no overload for them.
      const spawnAny = enqueue.spawnChild as unknown as (logic: AnyActorLogic, options: { id: string; systemId: string; input: unknown }) => void;
      spawnAny(spec.logic, { id: spec.id, systemId: spec.id, input: spec.input });
    }),
    removeChild: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'supervisor.remove_child' || !context.children.has(event.id)) return;
      context.children.delete(event.id);
      enqueue(stopChild(event.id));
    }),
    // A child went down: forget it, or start it again under the same id.
    handleExit: enqueueActions(({ context, event, enqueue }) => {
      const exit = exitOf(event);
      const spec = exit && context.children.get(exit.id);
      if (!exit || !spec) return;
      enqueue(stopChild(exit.id));
      if (!shouldRestart(spec.restart, exit.exit)) {
        context.children.delete(exit.id);
        return;
      }
      enqueue.assign({ restartsInPeriod: context.restartsInPeriod + 1, restartCount: context.restartCount + 1, lastCrash: exit.error });
      enqueue(raise({ type: 'supervisor.restart_expired' }, { delay: 'restartPeriod' }));
      // Re-added after the stop has run, so the new child takes the freed system id.
      context.children.delete(exit.id);
      enqueue.raise({ type: 'supervisor.add_child', spec });
    }),
    stopAllChildren: enqueueActions(({ context, enqueue }) => {
      for (const id of [...context.children.keys()].reverse()) enqueue(stopChild(id));
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
    isExitOfKnownChild: ({ context, event }) => {
      const exit = exitOf(event);
      return exit !== null && context.children.has(exit.id);
    },
    exitNeedsRestart: ({ context, event }) => {
      const exit = exitOf(event)!;
      return shouldRestart(context.children.get(exit.id)!.restart, exit.exit);
    },
    withinIntensity: ({ context }) => allowsRestart(context.restartsInPeriod, context.intensity),
  },
  delays: {
    restartPeriod: ({ context }) => context.periodMs,
  },
}).createMachine({
  id: 'dynamicSupervisor',
  context: ({ input }) => ({
    children: new Map(),
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
        'supervisor.remove_child': { actions: 'removeChild' },
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
