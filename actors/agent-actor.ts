// Binds the pure agent machine to the hub: its reclaim and idle slots become
// calls into the runtime, which persists and schedules.
import type { ActorScope, AnyActorRef, Snapshot } from 'xstate';
import { agentMachine, type AgentBlock, type AgentMachineInput, type AgentReclaimReason, type AgentTaskRef, type AgentTimer } from '../machines/agent-machine.ts';
import { DeadlineQueues, type TimerClock } from './deadline-queues.ts';

export interface AgentActorHooks {
  /** The machine let go of a task the hub still holds as assigned (disconnect, timeout, rejection). */
  reclaim(agentId: string, task: AgentTaskRef, reason: AgentReclaimReason): void;
  /** The agent can take work now. */
  idle(agentId: string): void;
  /** A parked agent's rate limit passed: wake it to go on with the task it kept. */
  resume(agentId: string, task: AgentTaskRef): void;
}

export function agentActorLogic(hooks: AgentActorHooks) {
  return restorable(agentMachine.provide({
    actions: {
      ...agentTimerActions(),
      reclaimCurrentTask: ({ context }, params) => {
        if (context.currentTask) hooks.reclaim(context.agentId, context.currentTask, params.reason);
      },
      announceIdle: ({ context }) => hooks.idle(context.agentId),
      resumeTask: ({ context }) => {
        if (context.currentTask) hooks.resume(context.agentId, context.currentTask);
      },
    },
  }));
}

/** The agent machine's timer slots over one DeadlineQueues per timer, shared by every agent actor of the logic. */
export function agentTimerActions(clock?: TimerClock) {
  const timers: Record<AgentTimer, DeadlineQueues> = {
    acceptance: new DeadlineQueues({ type: 'timer.acceptance_timeout' }, clock),
    stop: new DeadlineQueues({ type: 'timer.stop_timeout' }, clock),
  };
  return {
    armTimer: ({ self }: { self: AnyActorRef }, { timer, afterMs }: { timer: AgentTimer; afterMs: number }) => timers[timer].arm(self, afterMs),
    cancelTimer: ({ self }: { self: AnyActorRef }, { timer }: { timer: AgentTimer }) => timers[timer].cancel(self),
  };
}

/**
 * The same logic, but an input carrying `restored` (a persisted snapshot from LMDB) starts the
 * actor from it through `restoreSnapshot` instead of from the initial state. The dynamic
 * supervisor spawns children from logic and input only, so the snapshot travels in the input.
 */
function restorable<L extends typeof agentMachine>(logic: L): L {
  const base = logic.getInitialSnapshot.bind(logic);
  return Object.create(logic, {
    getInitialSnapshot: {
      value: (scope: ActorScope<any, any, any, any>, input: AgentMachineInput & { restored?: Snapshot<unknown> }) =>
        input?.restored ? logic.restoreSnapshot(input.restored, scope) : base(scope, input),
    },
  }) as L;
}

/**
 * A stored snapshot as the start of a hub run: the agent is not connected yet and holds nothing.
 * The breaker state (`kept`, from LMDB) and the breaker settings of this run replace the snapshot's.
 */
export function asOffline(
  persisted: unknown,
  kept?: { consecutiveFailures: number; block: AgentBlock | null },
  breaker?: { failures: number; cooldownMs: number },
): Snapshot<unknown> {
  const stored = persisted as { value: unknown; context: Record<string, unknown> };
  const context = {
    consecutiveFailures: 0, block: null, breakerFailures: 3, breakerCooldownMs: 0,
    ...stored.context,
    currentTask: null,
    ...(kept ?? {}),
    ...(breaker ? { breakerFailures: breaker.failures, breakerCooldownMs: breaker.cooldownMs } : {}),
  };
  return { ...stored, value: 'offline', context } as unknown as Snapshot<unknown>;
}

export type AgentActorLogic = ReturnType<typeof agentActorLogic>;
