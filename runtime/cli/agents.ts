// `agentcom agents list`: connected agents and their states; `agentcom agents unblock <id>`: lift a breaker or rate-limit block.
import type { Command } from 'commander';
import { action, callHub, formatTime, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

export function registerAgentCommands(program: Command): void {
  const agents = program.command('agents').description('inspect agents on a running hub');
  withHubOptions(agents.command('list').description('connected agents with their FSM state and current task'))
    .action(action(async (flags: HubFlags) => {
      const result = await callHub('agent_states', flags, 'GET', '/api/agents/states');
      if (flags.json) return printJson(result);
      printTable(['agent_id', 'state', 'task', 'capabilities', 'flags', 'connected'],
        (result.agents as Array<Record<string, any>>).map((a) => [
          a.agent_id, a.fsm_state, a.current_task_id, (a.capabilities as string[]).join(','), (a.flags as string[]).join(','),
          formatTime(a.connected_at),
        ]));
    }));
  withHubOptions(agents.command('unblock <agent_id>').description('lift an agent\'s block (tripped breaker or rate limit) so it is scheduled again'))
    .action(action(async (agentId: string, flags: HubFlags) => {
      const result = await callHub('agent_unblocked', flags, 'POST', `/api/agents/${encodeURIComponent(agentId)}/unblock`);
      if (flags.json) return printJson(result);
      process.stdout.write(`unblocked ${agentId}: now ${String(result.agent.fsm_state)}\n`);
    }));
}
