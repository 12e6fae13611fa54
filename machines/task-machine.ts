// One actor per task while it is out with an agent (reference section 3).
// It fences reports by assignee and generation and ends in a final state that
// names the outcome; the wiring layer persists it through `recordOutcome`.
import { assign, setup } from 'xstate';

export type TaskReclaimReason = 'stuck' | 'overdue' | 'agent_disconnect' | 'acceptance_timeout' | 'rejected';

export type TaskOutcome = 'completed' | 'requeued' | 'dead_letter' | 'reclaimed' | 'cancelled';

export type ReportRejection = 'not_assignee' | 'stale_generation';

export interface TaskMachineInput {
  taskId: string;
  agentId: string;
  generation: number;
  retryCount: number;
  maxRetries: number;
  stuckAfterMs: number;
  overdueInMs: number | null;
  // true when the hub restarts with a task the agent had already accepted.
  accepted?: boolean;
}

export interface TaskMachineContext {
  taskId: string;
  agentId: string;
  generation: number;
  retryCount: number;
  maxRetries: number;
  stuckAfterMs: number;
  overdueInMs: number | null;
  resumeAccepted: boolean;
  result: unknown;
  tokensUsed: number | null;
  lastError: string | null;
  reclaimReason: TaskReclaimReason | null;
}

export type TaskMachineEvent =
  | { type: 'task.accepted'; agentId: string; generation?: number }
  | { type: 'task.progress'; agentId: string; generation?: number }
  | { type: 'task.complete'; agentId: string; generation?: number; result?: unknown; tokensUsed?: number }
  | { type: 'task.fail'; agentId: string; generation?: number; error: string }
  | { type: 'task.reclaim'; reason: TaskReclaimReason }
  | { type: 'task.cancel' };

type AgentReport = Extract<TaskMachineEvent, { agentId: string }>;

// Accept and progress may omit the generation; complete and fail may not, and
// the reference counts a missing one as 0 (so it is stale for any real task).
function reportedGeneration(event: AgentReport, taskGeneration: number): number {
  if (event.generation !== undefined) return event.generation;
  return event.type === 'task.complete' || event.type === 'task.fail' ? 0 : taskGeneration;
}

// Tried in order before a report is let through: a refused report changes nothing.
const fences = [
  { guard: 'notAssignee', actions: { type: 'rejectReport', params: { reason: 'not_assignee' } } },
  { guard: 'staleGeneration', actions: { type: 'rejectReport', params: { reason: 'stale_generation' } } },
] as const;

// How a task out with an agent ends, the same whether or not it was accepted.
const endings = {
  'task.complete': [...fences, { target: 'completed', actions: 'storeResult' }],
  'task.fail': [...fences, { target: 'failed', actions: 'storeError' }],
  'task.reclaim': { target: 'reclaimed', actions: { type: 'storeReclaimReason', params: {} } },
  'task.cancel': { target: 'cancelled' },
} as const;

// No accept or progress for stuckAfterMs: the agent is presumed gone.
const stuckTimer = {
  stuckAfter: { target: 'reclaimed', actions: { type: 'storeReclaimReason', params: { reason: 'stuck' } } },
} as const;

export const taskMachine = setup({
  types: {
    input: {} as TaskMachineInput,
    context: {} as TaskMachineContext,
    events: {} as TaskMachineEvent,
  },
  actions: {
    // The sender's report is refused; the wiring layer replies with the reason.
    rejectReport: (_, _params: { reason: ReportRejection }) => {},
    // Entry of every final state; details are in context (result, lastError, reclaimReason).
    recordOutcome: (_, _params: { outcome: TaskOutcome }) => {},
    storeResult: assign({
      result: ({ event, context }) => (event.type === 'task.complete' ? event.result : context.result),
      tokensUsed: ({ event, context }) => {
        if (event.type !== 'task.complete') return context.tokensUsed;
        return event.tokensUsed ?? tokensUsedIn(event.result) ?? null;
      },
    }),
    storeError: assign({
      lastError: ({ event, context }) => (event.type === 'task.fail' ? event.error : context.lastError),
    }),
    storeReclaimReason: assign({
      reclaimReason: ({ event, context }, params: { reason?: TaskReclaimReason }) =>
        params.reason ?? (event.type === 'task.reclaim' ? event.reason : context.reclaimReason),
    }),
  },
  guards: {
    resumedAsAccepted: ({ context }) => context.resumeAccepted,
    notAssignee: ({ context, event }) => 'agentId' in event && event.agentId !== context.agentId,
    staleGeneration: ({ context, event }) =>
      'agentId' in event && reportedGeneration(event, context.generation) !== context.generation,
    hasRetriesLeft: ({ context }) => context.retryCount + 1 < context.maxRetries,
    hasDeadline: ({ context }) => context.overdueInMs !== null,
  },
  delays: {
    stuckAfter: ({ context }) => context.stuckAfterMs,
    // Without a deadline the timer is parked at the longest delay a timer takes (about 24.8 days)
    // and `hasDeadline` drops it should it ever fire: firing at once would cost every task actor
    // an extra event.
    overdue: ({ context }) => context.overdueInMs ?? 2 ** 31 - 1,
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
    taskId: input.taskId,
    agentId: input.agentId,
    generation: input.generation,
    retryCount: input.retryCount,
    maxRetries: input.maxRetries,
    stuckAfterMs: input.stuckAfterMs,
    overdueInMs: input.overdueInMs,
    resumeAccepted: input.accepted ?? false,
    result: null,
    tokensUsed: null,
    lastError: null,
    reclaimReason: null,
  }),
  initial: 'assigned',
  // On the root so that accept and progress, which re-enter states, never restart it.
  after: {
    overdue: {
      guard: 'hasDeadline',
      target: '.reclaimed',
      actions: { type: 'storeReclaimReason', params: { reason: 'overdue' } },
    },
  },
  states: {
    assigned: {
      always: { guard: 'resumedAsAccepted', target: 'working' },
      after: stuckTimer,
      on: {
        'task.accepted': [
          ...fences,
          { target: 'working' },
        ],
        'task.progress': [
          ...fences,
          { target: 'assigned', reenter: true },
        ],
        ...endings,
      },
    },
    working: {
      after: stuckTimer,
      on: {
        // A repeated accept (e.g. after the sidecar recovers) counts as a sign of life.
        'task.accepted': [
          ...fences,
          { target: 'working', reenter: true },
        ],
        'task.progress': [
          ...fences,
          { target: 'working', reenter: true },
        ],
        ...endings,
      },
    },
    failed: {
      always: [{ guard: 'hasRetriesLeft', target: 'requeued' }, { target: 'dead_letter' }],
    },
    completed: { type: 'final', entry: { type: 'recordOutcome', params: { outcome: 'completed' } } },
    requeued: { type: 'final', entry: { type: 'recordOutcome', params: { outcome: 'requeued' } } },
    dead_letter: { type: 'final', entry: { type: 'recordOutcome', params: { outcome: 'dead_letter' } } },
    reclaimed: { type: 'final', entry: { type: 'recordOutcome', params: { outcome: 'reclaimed' } } },
    cancelled: { type: 'final', entry: { type: 'recordOutcome', params: { outcome: 'cancelled' } } },
  },
});

// The reference takes tokens_used from the report, else from result.tokens_used.
function tokensUsedIn(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null || !('tokens_used' in result)) return undefined;
  const tokens = (result as { tokens_used: unknown }).tokens_used;
  return typeof tokens === 'number' ? tokens : undefined;
}
