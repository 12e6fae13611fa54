// One actor per task while it is out with an agent (reference section 3).
//
// Storage decides every outcome of a report (fencing, retry versus dead letter,
// reclaim) inside its transaction; this machine hears each decision as an event
// once it is durable and shows the task's lifecycle to the inspector. What it
// decides itself are its timers: no sign of life for stuckAfterMs, or the
// task's deadline passed. Then it asks for a reclaim (`requestReclaim`) and waits
// in `reclaiming` for storage's decision, whichever it is.
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

/** Decisions storage made and committed, in past tense. */
export type TaskMachineEvent =
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

// No accept or progress for stuckAfterMs: the agent is presumed gone.
const stuckTimer = {
  stuckAfter: { target: 'reclaiming', actions: { type: 'storeReclaimReason', params: { reason: 'stuck' } } },
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
    // An ending leaves the root's overdue timer armed until the host stops the actor: it finds no deadline.
    dropDeadline: assign({ overdueInMs: null }),
    storeParking: assign({ parkedForMs: ({ event, context }) => (event.type === 'task.parked' ? Math.max(0, event.forMs) : context.parkedForMs) }),
    storeReclaimReason: assign({
      reclaimReason: ({ event, context }, params: { reason?: TaskTimerReason }) =>
        params.reason ?? (event.type === 'task.reclaimed' ? event.reason : context.reclaimReason),
    }),
  },
  guards: {
    resumedAsAccepted: ({ context }) => context.resumeAccepted,
    hasDeadline: ({ context }) => context.overdueInMs !== null,
  },
  delays: {
    stuckAfter: ({ context }) => context.stuckAfterMs,
    // Parked: no sign of life is expected before the rate limit passes.
    parkedStuckAfter: ({ context }) => context.parkedForMs + context.stuckAfterMs,
    // Without a deadline the delay is null, not a number: xstate then raises the event at once
    // instead of arming a timer, and `hasDeadline` drops it. A timer parked per task cost more
    // than that event: xstate's cancelAll, run at every actor stop, scans every timer in the
    // system, so each parked timer made every task's end slower as the fleet grew.
    overdue: ({ context }) => context.overdueInMs as number,
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
  // On the root so that accept and progress, which re-enter states, never restart it.
  after: {
    overdue: {
      guard: 'hasDeadline',
      target: '.reclaiming',
      actions: { type: 'storeReclaimReason', params: { reason: 'overdue' } },
    },
  },
  states: {
    assigned: {
      always: { guard: 'resumedAsAccepted', target: 'working' },
      after: stuckTimer,
      on: {
        'task.accepted': { target: 'working' },
        'task.progressed': { target: 'assigned', reenter: true },
        'task.parked': { target: 'parked', actions: 'storeParking' },
        ...endings,
      },
    },
    working: {
      after: stuckTimer,
      on: {
        // A repeated accept (e.g. after the sidecar recovers) counts as a sign of life.
        'task.accepted': { target: 'working', reenter: true },
        'task.progressed': { target: 'working', reenter: true },
        'task.parked': { target: 'parked', actions: 'storeParking' },
        ...endings,
      },
    },
    // Kept by its rate-limited agent: progress does not restart the timer, the resume does.
    parked: {
      after: {
        parkedStuckAfter: { target: 'reclaiming', actions: { type: 'storeReclaimReason', params: { reason: 'stuck' } } },
      },
      on: {
        'task.parked': { target: 'parked', reenter: true, actions: 'storeParking' },
        'task.resumed': { target: 'working' },
        ...endings,
      },
    },
    // Storage may refuse the reclaim (the agent's complete committed first): any decision ends the task here.
    reclaiming: {
      entry: 'requestReclaim',
      on: endings,
    },
    // Endings, not `type: 'final'`: the host stops the actor when `recordOutcome` runs. A final
    // state sends its parent `xstate.done.actor.<id>`, an event type new for every task, and
    // XState memoizes each event type's candidate transitions on the parent's state node: the
    // partition supervisor kept one entry per task ever ended (a leak), and matched each against
    // its wildcards first.
    completed: { entry: ['dropDeadline', { type: 'recordOutcome', params: { outcome: 'completed' } }] },
    requeued: { entry: ['dropDeadline', { type: 'recordOutcome', params: { outcome: 'requeued' } }] },
    dead_letter: { entry: ['dropDeadline', { type: 'recordOutcome', params: { outcome: 'dead_letter' } }] },
    reclaimed: { entry: ['dropDeadline', { type: 'recordOutcome', params: { outcome: 'reclaimed' } }] },
    cancelled: { entry: ['dropDeadline', { type: 'recordOutcome', params: { outcome: 'cancelled' } }] },
  },
});
