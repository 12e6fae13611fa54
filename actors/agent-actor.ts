// Binds the pure agent machine to the hub: its reclaim and idle slots become
// calls into the runtime, which persists and schedules.
import { createActor, type ActorScope, type AnyActorLogic, type Snapshot } from 'xstate';
import { agentMachine, type AgentBlock, type AgentMachineEvent, type AgentMachineInput, type AgentReclaimReason, type AgentTaskRef } from '../machines/agent-machine.ts';

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
 * The persisted snapshot the actor will have after `event`, computed without running it,
 * so it can be written in the same transaction as the storage change that the event reports.
 */
export function persistedAfter(logic: AnyActorLogic, current: Snapshot<unknown>, event: AgentMachineEvent): unknown {
  return logic.getPersistedSnapshot(logic.transition(current, event, inertScopeOf(logic)));
}

/**
 * A scope in which a transition runs no action and arms no timer. XState's own pure
 * `transition` builds a fresh actor for each call, whose constructor ran the machine's
 * context factory without input (which throws, and XState catches): about 4% of the hub's
 * time, once per completed task. One scope per logic, made once, does the same job.
 */
const inertScopes = new WeakMap<AnyActorLogic, ActorScope<any, any, any, any>>();
const inertInput: AgentMachineInput = { agentId: '', acceptanceTimeoutMs: 0 };

function inertScopeOf(logic: AnyActorLogic): ActorScope<any, any, any, any> {
  let scope = inertScopes.get(logic);
  if (!scope) {
    const self = createActor(logic, { input: inertInput });
    const nothing = () => {};
    scope = {
      self, system: self.system, id: '', sessionId: '', logger: nothing, defer: nothing, stopChild: nothing, emit: nothing, actionExecutor: nothing,
    } as unknown as ActorScope<any, any, any, any>;
    inertScopes.set(logic, scope);
  }
  return scope;
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
