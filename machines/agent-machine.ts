// One actor per known agent: where it stands in its work (reference section 6).
// Pure: the wiring layer fills the `reclaimCurrentTask` and `announceIdle` slots.
import { assign, setup } from 'xstate';

export interface AgentTaskRef {
  taskId: string;
  generation: number;
}

export type AgentFlag = 'unresponsive';

export type AgentReclaimReason = 'agent_disconnect' | 'acceptance_timeout';

export interface AgentMachineInput {
  agentId: string;
  capabilities: string[];
  acceptanceTimeoutMs: number;
}

export interface AgentMachineContext {
  agentId: string;
  capabilities: string[];
  currentTask: AgentTaskRef | null;
  flags: AgentFlag[];
  tasksCompleted: number;
  acceptanceTimeoutMs: number;
}

export type AgentMachineEvent =
  | { type: 'agent.connected'; capabilities: string[]; resume?: AgentTaskRef }
  | { type: 'agent.disconnected' }
  | { type: 'task.assigned'; taskId: string; generation: number }
  | { type: 'task.accepted'; taskId: string }
  | { type: 'task.finished'; taskId: string; outcome: 'completed' | 'failed' }
  // The hub took the task back (storage decided the reclaim, whoever asked: a rejection, a timer, a sweep).
  | { type: 'task.reclaimed'; taskId: string }
  /** An operator cancelled the held task: the agent stays busy until its sidecar says it stopped. */
  | { type: 'task.cancelled'; taskId: string }
  /** The sidecar stopped the cancelled task's work and is free. */
  | { type: 'task.stopped'; taskId: string };

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
    takeCapabilities: assign({
      capabilities: ({ event, context }) => (event.type === 'agent.connected' ? event.capabilities : context.capabilities),
    }),
    holdAssignedTask: assign({
      currentTask: ({ event, context }) => {
        if (event.type === 'task.assigned') return { taskId: event.taskId, generation: event.generation };
        if (event.type === 'agent.connected' && event.resume) return { ...event.resume };
        return context.currentTask;
      },
    }),
    clearCurrentTask: assign({ currentTask: null }),
    countCompletion: assign({
      tasksCompleted: ({ event, context }) =>
        event.type === 'task.finished' && event.outcome === 'completed' ? context.tasksCompleted + 1 : context.tasksCompleted,
    }),
    flagUnresponsive: assign({
      flags: ({ context }) => (context.flags.includes('unresponsive') ? context.flags : [...context.flags, 'unresponsive']),
    }),
    clearUnresponsive: assign({
      flags: ({ context }) => context.flags.filter((flag) => flag !== 'unresponsive'),
    }),
  },
  guards: {
    resumesTask: ({ event }) => event.type === 'agent.connected' && event.resume !== undefined,
    holdsTask: ({ context }) => context.currentTask !== null,
    // Reports about any other task are late echoes of an old assignment: ignore them.
    isCurrentTask: ({ context, event }) => 'taskId' in event && context.currentTask?.taskId === event.taskId,
  },
  delays: {
    acceptanceTimeout: ({ context }) => context.acceptanceTimeoutMs,
    // A sidecar that never answers a cancel (an old one) gets the same window as for an assignment.
    stopTimeout: ({ context }) => context.acceptanceTimeoutMs,
  },
}).createMachine({
  id: 'agent',
  context: ({ input }) => ({
    agentId: input.agentId,
    capabilities: input.capabilities,
    currentTask: null,
    flags: [],
    tasksCompleted: 0,
    acceptanceTimeoutMs: input.acceptanceTimeoutMs,
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
          { guard: 'resumesTask', target: 'assigned', actions: ['takeCapabilities', 'holdAssignedTask'] },
          { target: 'idle', actions: 'takeCapabilities' },
        ],
      },
    },
    idle: {
      entry: 'announceIdle',
      on: {
        'task.assigned': { target: 'assigned', actions: 'holdAssignedTask' },
      },
    },
    assigned: {
      after: {
        acceptanceTimeout: {
          target: 'idle',
          actions: ['flagUnresponsive', { type: 'reclaimCurrentTask', params: { reason: 'acceptance_timeout' } }, 'clearCurrentTask'],
        },
      },
      on: {
        'task.accepted': { guard: 'isCurrentTask', target: 'working', actions: 'clearUnresponsive' },
        'task.finished': { guard: 'isCurrentTask', target: 'idle', actions: ['countCompletion', 'clearCurrentTask'] },
        'task.reclaimed': { guard: 'isCurrentTask', target: 'idle', actions: 'clearCurrentTask' },
        'task.cancelled': { guard: 'isCurrentTask', target: 'stopping' },
      },
    },
    working: {
      on: {
        'task.finished': { guard: 'isCurrentTask', target: 'idle', actions: ['countCompletion', 'clearCurrentTask'] },
        'task.reclaimed': { guard: 'isCurrentTask', target: 'idle', actions: 'clearCurrentTask' },
        'task.cancelled': { guard: 'isCurrentTask', target: 'stopping' },
      },
    },
    // The task is cancelled in storage; the agent may still be running it. Busy until the sidecar
    // reports it stopped, or until the stop timeout frees the agent anyway (an old sidecar never answers).
    stopping: {
      after: {
        stopTimeout: { target: 'idle', actions: ['flagUnresponsive', 'clearCurrentTask'] },
      },
      on: {
        'task.stopped': { guard: 'isCurrentTask', target: 'idle', actions: ['clearUnresponsive', 'clearCurrentTask'] },
        // The task is no longer assigned, so there is nothing to reclaim.
        'agent.disconnected': { target: 'offline', actions: 'clearCurrentTask' },
      },
    },
  },
});
