// One actor per known agent: where it stands in its work (reference section 6).
// Pure: the wiring layer fills the `reclaimCurrentTask`, `announceIdle` and `resumeTask` slots.
//
// `blocked` (fleet control, issue 19) has two causes, kept in `context.block`:
// - `breaker`: the agent failed `breakerFailures` tasks in a row. It holds no task and is not
//   scheduled until an operator unblocks it or the cooldown (`block.until`) passes.
// - `rate_limited`: the agent's provider refused it until `block.until`. It keeps its task (no
//   reclaim); at `until` the hub unblocks it and it resumes the same task (`resumeTask`).
// The block outlives a disconnect: an agent that reconnects while blocked goes back to `blocked`.
//
// Its two timers (the acceptance window of an assignment, the stop window of a cancel) are slots,
// not XState `after` transitions: the state that watches one arms it on entry and cancels it on
// exit (`armTimer`, `cancelTimer`), and the actor layer keeps every agent's deadlines in one
// structure per timer and sends `timer.acceptance_timeout` or `timer.stop_timeout`
// (actors/deadline-queues.ts). XState's scheduler cost a record, a native timer and a cancel per
// assignment.
import { assign, setup } from 'xstate';

export interface AgentTaskRef {
  taskId: string;
  generation: number;
}

export type AgentFlag = 'unresponsive';

export type AgentReclaimReason = 'agent_disconnect' | 'acceptance_timeout';

export const agentBlockReasons = ['breaker', 'rate_limited'] as const;
export type AgentBlockReason = (typeof agentBlockReasons)[number];

export interface AgentBlock {
  reason: AgentBlockReason;
  /** Epoch ms when the block lifts by itself; null: only an operator lifts it. */
  until: number | null;
  since: number;
}

export interface AgentMachineInput {
  agentId: string;
  acceptanceTimeoutMs: number;
  /** Consecutive failures that trip the breaker (config `breaker_failures`, default 3). */
  breakerFailures?: number;
  /** How long a tripped breaker stays open; 0: until an operator unblocks. */
  breakerCooldownMs?: number;
  /** Breaker state kept in LMDB from the last run. */
  consecutiveFailures?: number;
  block?: AgentBlock | null;
}

export interface AgentMachineContext {
  agentId: string;
  currentTask: AgentTaskRef | null;
  flags: AgentFlag[];
  tasksCompleted: number;
  acceptanceTimeoutMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  consecutiveFailures: number;
  block: AgentBlock | null;
}

export type AgentMachineEvent =
  // What the agent can do is the registry's (actors/agent-registry.ts): the machine decides nothing from it.
  | { type: 'agent.connected'; resume?: AgentTaskRef }
  | { type: 'agent.disconnected' }
  | { type: 'task.assigned'; taskId: string; generation: number }
  | { type: 'task.accepted'; taskId: string }
  /** `at`: when the hub heard it (the breaker's cooldown counts from there). */
  | { type: 'task.finished'; taskId: string; outcome: 'completed' | 'failed'; at?: number }
  // The hub took the task back (storage decided the reclaim, whoever asked: a rejection, a timer, a sweep).
  | { type: 'task.reclaimed'; taskId: string }
  /** An operator cancelled the held task: the agent stays busy until its sidecar says it stopped. */
  | { type: 'task.cancelled'; taskId: string }
  /** The sidecar stopped the cancelled task's work and is free. */
  | { type: 'task.stopped'; taskId: string }
  /** The agent's provider refused it until `until`; it keeps its task. */
  | { type: 'agent.rate_limited'; taskId: string; until: number; at: number }
  /** An operator unblocked it, or its block's `until` passed. */
  | { type: 'agent.unblocked' }
  /** The timer armed on entry of `assigned` (`stopping`) ran out. */
  | { type: 'timer.acceptance_timeout' }
  | { type: 'timer.stop_timeout' };

export type AgentTimer = 'acceptance' | 'stop';

const defaultBreakerFailures = 3;

type CountArgs = { event: AgentMachineEvent; context: AgentMachineContext };
const completedCount = ({ event, context }: CountArgs) =>
  event.type === 'task.finished' && event.outcome === 'completed' ? context.tasksCompleted + 1 : context.tasksCompleted;
const failureCount = ({ event, context }: CountArgs) =>
  event.type === 'task.finished' && event.outcome === 'failed' ? context.consecutiveFailures + 1 : 0;

export const agentMachine = setup({
  types: {
    input: {} as AgentMachineInput,
    context: {} as AgentMachineContext,
    events: {} as AgentMachineEvent,
  },
  actions: {
    // Runs while context.currentTask still names the task, so the slot can read it.
    reclaimCurrentTask: (_, _params: { reason: AgentReclaimReason }) => {},
    announceIdle: () => {},
    // A parked agent's block lifted: wake it to go on with the task it kept.
    resumeTask: () => {},
    // Arms the timer to send `timer.<timer>_timeout` in afterMs; leaving the state cancels it.
    armTimer: (_, _params: { timer: AgentTimer; afterMs: number }) => {},
    cancelTimer: (_, _params: { timer: AgentTimer }) => {},
    holdAssignedTask: assign({
      currentTask: ({ event, context }) => {
        if (event.type === 'task.assigned') return { taskId: event.taskId, generation: event.generation };
        if (event.type === 'agent.connected' && event.resume) return { ...event.resume };
        return context.currentTask;
      },
    }),
    clearCurrentTask: assign({ currentTask: null }),
    countCompletion: assign({ tasksCompleted: completedCount }),
    // The breaker's count: a completion resets it, a failure adds one.
    countOutcome: assign({ consecutiveFailures: failureCount }),
    // A finished task that trips nothing: countCompletion, countOutcome and clearCurrentTask in one
    // assign (each assign is a context copy and a snapshot per transition, three per task).
    settleTask: assign({ tasksCompleted: completedCount, consecutiveFailures: failureCount, currentTask: null }),
    tripBreaker: assign({
      block: ({ event, context }) => {
        const at = event.type === 'task.finished' ? event.at ?? 0 : 0;
        return { reason: 'breaker' as const, since: at, until: context.breakerCooldownMs > 0 ? at + context.breakerCooldownMs : null };
      },
    }),
    parkForRateLimit: assign({
      block: ({ event, context }) =>
        event.type === 'agent.rate_limited' ? { reason: 'rate_limited' as const, since: event.at, until: event.until } : context.block,
    }),
    liftBlock: assign({ block: null, consecutiveFailures: 0 }),
    flagUnresponsive: assign({
      flags: ({ context }) => (context.flags.includes('unresponsive') ? context.flags : [...context.flags, 'unresponsive']),
    }),
    // Runs at every accept: no new array unless the flag is there to clear.
    clearUnresponsive: assign({
      flags: ({ context }) => (context.flags.includes('unresponsive') ? context.flags.filter((flag) => flag !== 'unresponsive') : context.flags),
    }),
  },
  guards: {
    resumesTask: ({ event }) => event.type === 'agent.connected' && event.resume !== undefined,
    holdsTask: ({ context }) => context.currentTask !== null,
    // Reports about any other task are late echoes of an old assignment: ignore them.
    isCurrentTask: ({ context, event }) => 'taskId' in event && context.currentTask?.taskId === event.taskId,
    isCurrentTaskFlaggedUnresponsive: ({ context, event }) =>
      'taskId' in event && context.currentTask?.taskId === event.taskId && context.flags.includes('unresponsive'),
    isBlocked: ({ context }) => context.block !== null,
    isCurrentTaskWhileBlocked: ({ context, event }) =>
      context.block !== null && 'taskId' in event && context.currentTask?.taskId === event.taskId,
    // This failure is the breakerFailures-th in a row.
    breakerTrips: ({ context, event }) =>
      event.type === 'task.finished' && event.outcome === 'failed' && context.currentTask?.taskId === event.taskId
      && context.consecutiveFailures + 1 >= context.breakerFailures,
  },
}).createMachine({
  id: 'agent',
  context: ({ input }) => ({
    agentId: input.agentId,
    currentTask: null,
    flags: [],
    tasksCompleted: 0,
    acceptanceTimeoutMs: input.acceptanceTimeoutMs,
    breakerFailures: input.breakerFailures ?? defaultBreakerFailures,
    breakerCooldownMs: input.breakerCooldownMs ?? 0,
    consecutiveFailures: input.consecutiveFailures ?? 0,
    block: input.block ?? null,
  }),
  initial: 'offline',
  on: {
    'agent.disconnected': [
      {
        guard: 'holdsTask',
        target: '.offline',
        actions: [{ type: 'reclaimCurrentTask', params: { reason: 'agent_disconnect' } }, 'clearCurrentTask'],
      },
      { target: '.offline' },
    ],
  },
  states: {
    offline: {
      on: {
        'agent.connected': [
          { guard: 'isBlocked', target: 'blocked', actions: 'holdAssignedTask' },
          { guard: 'resumesTask', target: 'assigned', actions: 'holdAssignedTask' },
          { target: 'idle' },
        ],
        // An operator may lift a block while the agent is away.
        'agent.unblocked': { actions: 'liftBlock' },
      },
    },
    idle: {
      entry: 'announceIdle',
      on: {
        'task.assigned': { target: 'assigned', actions: 'holdAssignedTask' },
      },
    },
    assigned: {
      entry: { type: 'armTimer', params: ({ context }) => ({ timer: 'acceptance', afterMs: context.acceptanceTimeoutMs }) },
      exit: { type: 'cancelTimer', params: { timer: 'acceptance' } },
      on: {
        'timer.acceptance_timeout': {
          target: 'idle',
          actions: ['flagUnresponsive', { type: 'reclaimCurrentTask', params: { reason: 'acceptance_timeout' } }, 'clearCurrentTask'],
        },
        // Only an agent flagged unresponsive has a flag to clear: no context copy for the others.
        'task.accepted': [
          { guard: 'isCurrentTaskFlaggedUnresponsive', target: 'working', actions: 'clearUnresponsive' },
          { guard: 'isCurrentTask', target: 'working' },
        ],
        'task.finished': [
          { guard: 'breakerTrips', target: 'blocked', actions: ['countOutcome', 'tripBreaker', 'clearCurrentTask'] },
          { guard: 'isCurrentTask', target: 'idle', actions: 'settleTask' },
        ],
        'task.reclaimed': { guard: 'isCurrentTask', target: 'idle', actions: 'clearCurrentTask' },
        'task.cancelled': { guard: 'isCurrentTask', target: 'stopping' },
        'agent.rate_limited': { guard: 'isCurrentTask', target: 'blocked', actions: 'parkForRateLimit' },
      },
    },
    working: {
      on: {
        'task.finished': [
          { guard: 'breakerTrips', target: 'blocked', actions: ['countOutcome', 'tripBreaker', 'clearCurrentTask'] },
          { guard: 'isCurrentTask', target: 'idle', actions: 'settleTask' },
        ],
        'task.reclaimed': { guard: 'isCurrentTask', target: 'idle', actions: 'clearCurrentTask' },
        'task.cancelled': { guard: 'isCurrentTask', target: 'stopping' },
        'agent.rate_limited': { guard: 'isCurrentTask', target: 'blocked', actions: 'parkForRateLimit' },
      },
    },
    // The task is cancelled in storage; the agent may still be running it. Busy until the sidecar
    // reports it stopped, or until the stop timeout frees the agent anyway (an old sidecar never answers).
    stopping: {
      // A sidecar that never answers a cancel (an old one) gets the same window as for an assignment.
      entry: { type: 'armTimer', params: ({ context }) => ({ timer: 'stop', afterMs: context.acceptanceTimeoutMs }) },
      exit: { type: 'cancelTimer', params: { timer: 'stop' } },
      on: {
        'timer.stop_timeout': [
          { guard: 'isBlocked', target: 'blocked', actions: ['flagUnresponsive', 'clearCurrentTask'] },
          { target: 'idle', actions: ['flagUnresponsive', 'clearCurrentTask'] },
        ],
        'task.stopped': [
          { guard: 'isCurrentTaskWhileBlocked', target: 'blocked', actions: ['clearUnresponsive', 'clearCurrentTask'] },
          { guard: 'isCurrentTask', target: 'idle', actions: ['clearUnresponsive', 'clearCurrentTask'] },
        ],
        // The task is no longer assigned, so there is nothing to reclaim.
        'agent.disconnected': { target: 'offline', actions: 'clearCurrentTask' },
      },
    },
    // Not scheduled. A parked agent (rate_limited) keeps its task: storage still holds it as assigned.
    blocked: {
      on: {
        'agent.unblocked': [
          { guard: 'holdsTask', target: 'working', actions: ['liftBlock', 'resumeTask'] },
          { target: 'idle', actions: 'liftBlock' },
        ],
        // The kept task may still end while parked (a late result, a cancel, a timer): the block stays.
        'task.finished': { guard: 'isCurrentTask', actions: ['countCompletion', 'clearCurrentTask'] },
        'task.reclaimed': { guard: 'isCurrentTask', actions: 'clearCurrentTask' },
        'task.cancelled': { guard: 'isCurrentTask', target: 'stopping' },
        // A parked agent's provider pushed its time further.
        'agent.rate_limited': { guard: 'isCurrentTask', actions: 'parkForRateLimit' },
      },
    },
  },
});
