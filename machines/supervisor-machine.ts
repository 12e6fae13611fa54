// An OTP-style supervisor as a state machine. It starts an ordered list of
// children one at a time, restarts them by strategy when they crash, and fails
// upward when they crash too often. Children follow this contract:
//   - send the parent { type: 'child.ready', id } once started;
//   - crash by erroring (the parent gets xstate.error.actor.<id>) or by sending
//     { type: 'child.crashed', id, error };
//   - on { type: 'child.stop' }, clean up and reply { type: 'child.stopped', id }.
// A supervisor follows the same contract, so supervisors nest.
import { assign, enqueueActions, raise, setup, stopChild } from 'xstate';
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import { allowsRestart, defaultRestartIntensity } from './restart-policy.ts';
import {
  defaultChildStopTimeoutMs, exitNeedsRestart, exitReportOf, forget, inStartOrder, inStopOrder, isCurrentExit,
  planAfterExit, specIndex, union, without,
  type SupervisorContext, type SupervisorEvent, type SupervisorInput,
} from './supervisor-plan.ts';

export type { ChildSpec, SupervisorContext, SupervisorEvent, SupervisorInput } from './supervisor-plan.ts';

// A stop sequence: ask the head of stopQueue to stop, wait for child.stopped
// (or its death, or the timeout), drop it, repeat; then go to `done`.
function stopInOrder(done: string) {
  return {
    initial: 'next',
    states: {
      next: {
        always: [
          { guard: 'stopQueueEmpty', target: done },
          { guard: 'stopHeadIgnoresContract', actions: 'dropStopHead' },
          { target: 'awaitingStopped' },
        ],
      },
      awaitingStopped: {
        entry: 'askStopHeadToStop',
        after: { childStopTimeout: { target: 'next', actions: 'dropStopHead' } },
        on: {
          'child.stopped': { guard: 'isStopHead', target: 'next', actions: 'dropStopHead' },
          'xstate.error.actor.*': { guard: 'isStopHead', target: 'next', actions: 'dropStopHead' },
          'xstate.done.actor.*': { guard: 'isStopHead', target: 'next', actions: 'dropStopHead' },
        },
      },
    },
  } as const;
}

// A start sequence: start the head of startQueue (unless it is already live),
// wait for its child.ready, repeat; then go to `done`.
function startInOrder(done: string) {
  return {
    initial: 'next',
    states: {
      next: {
        always: [
          { guard: 'startQueueEmpty', target: done },
          { guard: 'startHeadReady', actions: 'dequeueStart' },
          { target: 'awaitingReady' },
        ],
      },
      awaitingReady: {
        entry: 'spawnStartHead',
        // A readyOnSpawn child is ready the moment it is spawned.
        always: { guard: 'startHeadReady', target: 'next', actions: 'dequeueStart' },
        on: {
          'child.ready': { guard: 'isStartHead', target: 'next', actions: ['markReady', 'dequeueStart'] },
        },
      },
    },
  } as const;
}

// An exit XState reports late for a replaced child, or one already forgotten.
const staleExit = { guard: 'isStaleExit' } as const;

// A child went down: restart by strategy or, past the intensity, escalate.
const restartOrEscalate = [
  { guard: 'exitNeedsNoRestart', target: '#supervisor.restarting', actions: ['forgetExitedChild', 'planAfterExit'] },
  { guard: 'withinIntensity', target: '#supervisor.restarting', actions: ['forgetExitedChild', 'planAfterExit', 'countRestart'] },
  { target: '#supervisor.escalating', actions: ['forgetExitedChild', 'recordCrash', 'stopAll'] },
] as const;

// In running, a child that is gone and stays gone (a finished task actor, say)
// needs no stop/start pass; while starting, that pass keeps the start queue moving.
const finalExit = { guard: 'exitIsFinal', actions: ['forgetExitedChild', 'planAfterExit'] } as const;

const lifecycleHandlers = {
  'supervisor.stop': { target: '#supervisor.shuttingDown', actions: 'stopAll' },
  'child.stop': { target: '#supervisor.shuttingDown', actions: 'stopAll' },
  'supervisor.add_child': { guard: 'isNewChildId', target: '#supervisor.restarting', actions: 'addChild' },
  'supervisor.remove_child': { guard: 'isKnownChildId', target: '#supervisor.restarting', actions: 'removeChild' },
} as const;

const activeHandlers = {
  'child.crashed': [staleExit, ...restartOrEscalate],
  'xstate.error.actor.*': [staleExit, ...restartOrEscalate],
  'xstate.done.actor.*': [staleExit, ...restartOrEscalate],
  ...lifecycleHandlers,
} as const;

const runningHandlers = {
  'child.crashed': [staleExit, ...restartOrEscalate],
  'xstate.error.actor.*': [staleExit, finalExit, ...restartOrEscalate],
  'xstate.done.actor.*': [staleExit, finalExit, ...restartOrEscalate],
  ...lifecycleHandlers,
} as const;

// While shutting down or escalating, a child that dies is only forgotten.
const winddownHandlers = {
  'xstate.error.actor.*': [staleExit, { actions: 'forgetExitedChild' }],
  'xstate.done.actor.*': [staleExit, { actions: 'forgetExitedChild' }],
} as const;

// Children come from input, not from `actors`, so setup's typed spawner has no
// overload for them; this is the untyped form XState accepts at runtime.
type SpawnAny = (logic: AnyActorLogic, options: { id: string; systemId: string; input: unknown }) => AnyActorRef;

export const supervisorMachine = setup({
  types: {
    input: {} as SupervisorInput,
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
  },
  actions: {
    spawnStartHead: assign(({ context, spawn }) => {
      const id = context.startQueue[0]!;
      if (context.running.includes(id)) return {};
      const spec = context.specs[specIndex(context, id)]!;
      // systemId = spec id, so the inspector and system.get() name the child.
      const ref = (spawn as unknown as SpawnAny)(spec.logic, { id, systemId: id, input: spec.input });
      return {
        running: inStartOrder(context, [...context.running, id]),
        ready: spec.readyOnSpawn ? union(context.ready, [id]) : context.ready,
        directStop: spec.readyOnSpawn ? union(context.directStop, [id]) : context.directStop,
        refs: { ...context.refs, [id]: ref },
      };
    }),
    dequeueStart: assign({ startQueue: ({ context }) => context.startQueue.slice(1) }),
    markReady: assign({
      ready: ({ context, event }) => (event.type === 'child.ready' ? union(context.ready, [event.id]) : context.ready),
    }),
    askStopHeadToStop: enqueueActions(({ context, enqueue }) => {
      enqueue.sendTo(context.stopQueue[0]!, { type: 'child.stop' });
    }),
    dropStopHead: enqueueActions(({ context, enqueue }) => {
      const id = context.stopQueue[0]!;
      enqueue(stopChild(id));
      enqueue.assign(forget(context, id));
    }),
    dropStoppedChild: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'child.stopped') return;
      enqueue(stopChild(event.id));
      enqueue.assign(forget(context, event.id));
    }),
    forgetExitedChild: enqueueActions(({ context, event, enqueue }) => {
      const report = exitReportOf(event);
      if (!report || report.alive) return;
      enqueue(stopChild(report.id));
      enqueue.assign(forget(context, report.id));
    }),
    planAfterExit: assign(({ context, event }) => {
      const report = exitReportOf(event);
      return report ? planAfterExit(context, { ...report, alive: context.running.includes(report.id) }) : {};
    }),
    countRestart: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ restartsInPeriod: context.restartsInPeriod + 1, restartCount: context.restartCount + 1 });
      // Each restart leaves the intensity window periodMs later.
      enqueue(raise({ type: 'supervisor.restart_expired' }, { delay: 'restartPeriod' }));
    }),
    expireRestart: assign({ restartsInPeriod: ({ context }) => Math.max(0, context.restartsInPeriod - 1) }),
    recordCrash: assign({ lastCrash: ({ event, context }) => exitReportOf(event)?.error ?? context.lastCrash }),
    stopAll: assign({
      startQueue: [],
      stopQueue: ({ context }) => [...context.running].reverse(),
    }),
    addChild: assign(({ context, event }) => {
      if (event.type !== 'supervisor.add_child') return {};
      const specs = [...context.specs, event.spec];
      return { specs, startQueue: [...context.startQueue, event.spec.id] };
    }),
    removeChild: assign(({ context, event }) => {
      if (event.type !== 'supervisor.remove_child') return {};
      return {
        specs: context.specs.filter((spec) => spec.id !== event.id),
        startQueue: without(context.startQueue, [event.id]),
        stopQueue: context.running.includes(event.id) ? inStopOrder(context, union(context.stopQueue, [event.id])) : context.stopQueue,
      };
    }),
    announceReady: enqueueActions(({ self, enqueue }) => {
      if (self._parent) enqueue.sendParent({ type: 'child.ready', id: self.id });
    }),
    announceStopped: enqueueActions(({ self, enqueue }) => {
      if (self._parent) enqueue.sendParent({ type: 'child.stopped', id: self.id });
    }),
    // XState v5 has no escalate action: an action that throws makes this actor
    // error, and its parent receives xstate.error.actor.<id>.
    escalate: ({ context, self }) => {
      throw new Error(
        `supervisor ${self.id} gave up: more than ${context.intensity} restarts in ${context.periodMs} ms`,
        { cause: context.lastCrash },
      );
    },
  },
  guards: {
    startQueueEmpty: ({ context }) => context.startQueue.length === 0,
    stopQueueEmpty: ({ context }) => context.stopQueue.length === 0,
    stopHeadIgnoresContract: ({ context }) => context.directStop.includes(context.stopQueue[0]!),
    startHeadReady: ({ context }) => context.ready.includes(context.startQueue[0]!),
    isStartHead: ({ context, event }) => event.type === 'child.ready' && event.id === context.startQueue[0],
    isStopHead: ({ context, event }) => {
      if (event.type === 'child.stopped') return event.id === context.stopQueue[0];
      const report = exitReportOf(event);
      return report !== null && report.id === context.stopQueue[0] && isCurrentExit(context, report);
    },
    isRunningChild: ({ context, event }) => 'id' in event && context.running.includes(event.id),
    isStaleExit: ({ context, event }) => {
      const report = exitReportOf(event);
      return !report || !isCurrentExit(context, report);
    },
    exitNeedsNoRestart: ({ context, event }) => !exitNeedsRestart(context, event),
    // Only XState-reported exits: the child is already stopped.
    exitIsFinal: ({ context, event }) => event.type !== 'child.crashed' && !exitNeedsRestart(context, event),
    withinIntensity: ({ context }) => allowsRestart(context.restartsInPeriod, context.intensity),
    isNewChildId: ({ context, event }) =>
      event.type === 'supervisor.add_child' && !context.specs.some((spec) => spec.id === event.spec.id),
    isKnownChildId: ({ context, event }) =>
      event.type === 'supervisor.remove_child' && context.specs.some((spec) => spec.id === event.id),
  },
  delays: {
    childStopTimeout: ({ context }) => context.childStopTimeoutMs,
    restartPeriod: ({ context }) => context.periodMs,
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    specs: [...input.children],
    strategy: input.strategy ?? 'one_for_one',
    intensity: input.intensity ?? defaultRestartIntensity.intensity,
    periodMs: input.periodMs ?? defaultRestartIntensity.periodMs,
    childStopTimeoutMs: input.childStopTimeoutMs ?? defaultChildStopTimeoutMs,
    running: [],
    ready: [],
    refs: {},
    directStop: [],
    startQueue: input.children.map((spec) => spec.id),
    stopQueue: [],
    restartsInPeriod: 0,
    restartCount: 0,
    lastCrash: undefined,
  }),
  initial: 'starting',
  on: {
    // Late or out-of-turn replies from live children.
    'child.ready': { guard: 'isRunningChild', actions: 'markReady' },
    'child.stopped': { guard: 'isRunningChild', actions: 'dropStoppedChild' },
    'supervisor.restart_expired': { actions: 'expireRestart' },
  },
  states: {
    starting: {
      ...startInOrder('#supervisor.running'),
      on: activeHandlers,
    },
    running: {
      entry: 'announceReady',
      on: runningHandlers,
    },
    restarting: {
      initial: 'stopping',
      on: activeHandlers,
      states: {
        stopping: stopInOrder('#supervisor.restarting.starting'),
        starting: startInOrder('#supervisor.running'),
      },
    },
    shuttingDown: {
      ...stopInOrder('#supervisor.stopped'),
      on: winddownHandlers,
    },
    escalating: {
      ...stopInOrder('#supervisor.failed'),
      on: winddownHandlers,
    },
    failed: { entry: 'escalate' },
    stopped: { type: 'final', entry: 'announceStopped' },
  },
});
