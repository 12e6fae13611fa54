// One actor per task while it is out with an agent (reference section 3).
//
// Storage decides every outcome of a report (fencing, retry versus dead letter,
// reclaim) inside its transaction; this machine hears each decision as an event
// once it is durable and shows the task's lifecycle to the inspector. What it
// decides itself are its timers: no sign of life for stuckAfterMs, or the
// task's deadline passed. Then it asks for a reclaim (`requestReclaim`) and waits
// in `reclaiming` for storage's decision, whichever it is.
//
// The timers are named slots, not XState `after` transitions: a state that watches one arms it
// on entry (`armTimer`, with its length), an ending cancels them (`cancelTimers`), and the
// actor layer keeps the deadlines of every task actor in one structure and sends
// `timer.stuck` or `timer.overdue` when one passes (actors/task-timers.ts). XState's scheduler
// cost a scheduled-event record, a native timer and a cancel per state entered, per task.
import { assign, setup } from 'xstate';

export type TaskReclaimReason = 'stuck' | 'overdue' | 'agent_disconnect' | 'acceptance_timeout' | 'rejected' | 'agent_removed';

export type TaskTimerReason = Extract<TaskReclaimReason, 'stuck' | 'overdue'>;

export type TaskOutcome = 'completed' | 'requeued' | 'dead_letter' | 'reclaimed' | 'cancelled';

export interface TaskMachineInput {
  taskId: string;
  agentId: string;
  generation: number;
  stuckAfterMs: number;
  overdueInMs: number | null;
  // true when the hub restarts with a task the agent had already accepted.
  accepted?: boolean;
}

export interface TaskMachineContext {
  taskId: string;
  agentId: string;
  generation: number;
  stuckAfterMs: number;
  overdueInMs: number | null;
  resumeAccepted: boolean;
  reclaimReason: TaskReclaimReason | null;
  /** How long the agent is parked by a rate limit (its stuck timer waits this much longer). */
  parkedForMs: number;
}

/** Decisions storage made and committed, in past tense; and the machine's own timers running out. */
export type TaskMachineEvent =
  | { type: 'timer.stuck' }
  | { type: 'timer.overdue' }
  | { type: 'task.accepted' }
  | { type: 'task.progressed' }
  | { type: 'task.completed' }
  | { type: 'task.retried' }
  | { type: 'task.dead_lettered' }
  | { type: 'task.reclaimed'; reason: TaskReclaimReason }
  | { type: 'task.cancelled' }
  /** The agent's provider rate-limited it for `forMs`: the task is kept, and the stuck timer waits that much longer. */
  | { type: 'task.parked'; forMs: number }
  /** The rate limit passed and the agent was woken to go on. */
  | { type: 'task.resumed' };

// How a task out with an agent ends; the same whether or not it was accepted, or a reclaim was asked for.
const endings = {
  'task.completed': { target: 'completed' },
  'task.retried': { target: 'requeued' },
  'task.dead_lettered': { target: 'dead_letter' },
  'task.reclaimed': { target: 'reclaimed', actions: { type: 'storeReclaimReason', params: {} } },
  'task.cancelled': { target: 'cancelled' },
} as const;

// No accept or progress for stuckAfterMs (re-armed on every entry of the state that watches it): the agent is presumed gone.
const stuckTimer = {
  'timer.stuck': { target: 'reclaiming', actions: { type: 'storeReclaimReason', params: { reason: 'stuck' } } },
} as const;
const armStuckTimer = {
  type: 'armTimer',
  params: ({ context }: { context: TaskMachineContext }) => ({ timer: 'stuck' as const, afterMs: context.stuckAfterMs }),
} as const;

// Past the task's deadline, whatever its progress: armed once, when the actor starts, so that
// accept and progress never restart it. Every state but the endings heeds it.
const overdueTimer = {
  'timer.overdue': { target: 'reclaiming', reenter: true, actions: { type: 'storeReclaimReason', params: { reason: 'overdue' } } },
} as const;

export const taskMachine = setup({
  types: {
    input: {} as TaskMachineInput,
    context: {} as TaskMachineContext,
    events: {} as TaskMachineEvent,
  },
  actions: {
    // A timer ran out: ask storage to take the task back (context.reclaimReason says why).
    requestReclaim: () => {},
    // Entry of every ending: the task is no longer out with its agent, and the actor is done.
    recordOutcome: (_, _params: { outcome: TaskOutcome }) => {},
    // Arms (or re-arms) one of the actor's timers to send `timer.<timer>` in afterMs; null arms nothing.
    armTimer: (_, _params: { timer: TaskTimerReason; afterMs: number | null }) => {},
    // Entry of every ending: neither timer may fire any more.
    cancelTimers: () => {},
    storeParking: assign({ parkedForMs: ({ event, context }) => (event.type === 'task.parked' ? Math.max(0, event.forMs) : context.parkedForMs) }),
    storeReclaimReason: assign({
      reclaimReason: ({ event, context }, params: { reason?: TaskTimerReason }) =>
        params.reason ?? (event.type === 'task.reclaimed' ? event.reason : context.reclaimReason),
    }),
  },
  guards: {
    resumedAsAccepted: ({ context }) => context.resumeAccepted,
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
    taskId: input.taskId,
    agentId: input.agentId,
    generation: input.generation,
    stuckAfterMs: input.stuckAfterMs,
    overdueInMs: input.overdueInMs,
    resumeAccepted: input.accepted ?? false,
    reclaimReason: null,
    parkedForMs: 0,
  }),
  initial: 'assigned',
  // Without a deadline (null) no timer is armed.
  entry: { type: 'armTimer', params: ({ context }) => ({ timer: 'overdue', afterMs: context.overdueInMs }) },
  states: {
    assigned: {
      entry: armStuckTimer,
      always: { guard: 'resumedAsAccepted', target: 'working' },
      on: {
        ...stuckTimer,
        ...overdueTimer,
        'task.accepted': { target: 'working' },
        'task.progressed': { target: 'assigned', reenter: true },
        'task.parked': { target: 'parked', actions: 'storeParking' },
        ...endings,
      },
    },
    working: {
      entry: armStuckTimer,
      on: {
        ...stuckTimer,
        ...overdueTimer,
        // A repeated accept (e.g. after the sidecar recovers) counts as a sign of life.
        'task.accepted': { target: 'working', reenter: true },
        'task.progressed': { target: 'working', reenter: true },
        'task.parked': { target: 'parked', actions: 'storeParking' },
        ...endings,
      },
    },
    // Kept by its rate-limited agent: progress does not restart the timer, the resume does.
    parked: {
      // No sign of life is expected before the rate limit passes.
      entry: { type: 'armTimer', params: ({ context }) => ({ timer: 'stuck', afterMs: context.parkedForMs + context.stuckAfterMs }) },
      on: {
        ...stuckTimer,
        ...overdueTimer,
        'task.parked': { target: 'parked', reenter: true, actions: 'storeParking' },
        'task.resumed': { target: 'working' },
        ...endings,
      },
    },
    // Storage may refuse the reclaim (the agent's complete committed first): any decision ends the task here.
    // A stuck timer still armed (the deadline passed first) finds no transition here.
    reclaiming: {
      entry: 'requestReclaim',
      on: { ...overdueTimer, ...endings },
    },
    // Endings, not `type: 'final'`: the host stops the actor when `recordOutcome` runs. A final
    // state sends its parent `xstate.done.actor.<id>`, an event type new for every task, and
    // XState memoizes each event type's candidate transitions on the parent's state node: the
    // partition supervisor kept one entry per task ever ended (a leak), and matched each against
    // its wildcards first. Its children's ids are now reused slots (machines/child-slots.ts), which
    // bounds those types, but a final state measured no cheaper than the host's stop (docs/benchmarks.md).
    completed: { entry: ['cancelTimers', { type: 'recordOutcome', params: { outcome: 'completed' } }] },
    requeued: { entry: ['cancelTimers', { type: 'recordOutcome', params: { outcome: 'requeued' } }] },
    dead_letter: { entry: ['cancelTimers', { type: 'recordOutcome', params: { outcome: 'dead_letter' } }] },
    reclaimed: { entry: ['cancelTimers', { type: 'recordOutcome', params: { outcome: 'reclaimed' } }] },
    cancelled: { entry: ['cancelTimers', { type: 'recordOutcome', params: { outcome: 'cancelled' } }] },
  },
});
