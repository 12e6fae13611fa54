// Binds the pure agent machine to the hub: its reclaim and idle slots become
// calls into the runtime, which persists and schedules.
import { agentMachine, type AgentReclaimReason, type AgentTaskRef } from '../machines/agent-machine.ts';

export interface AgentActorHooks {
  /** The machine let go of a task the hub still holds as assigned (disconnect, timeout, rejection). */
  reclaim(agentId: string, task: AgentTaskRef, reason: AgentReclaimReason): void;
  /** The agent can take work now. */
  idle(agentId: string): void;
}

export function agentActorLogic(hooks: AgentActorHooks) {
  return agentMachine.provide({
    actions: {
      reclaimCurrentTask: ({ context }, params) => {
        if (context.currentTask) hooks.reclaim(context.agentId, context.currentTask, params.reason);
      },
      announceIdle: ({ context }) => hooks.idle(context.agentId),
    },
  });
}

export type AgentActorLogic = ReturnType<typeof agentActorLogic>;
