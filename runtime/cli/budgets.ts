// `agentcom budgets show` and `agentcom budgets set`: the daily token budgets (UTC days) of
// the fleet and of each agent, with today's usage, changed at runtime (kept in the hub's LMDB).
import type { Command } from 'commander';
import { action, callHub, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

interface SetFlags extends HubFlags {
  fleet?: string;
  agentDefault?: string;
  agent?: string[];
}

/** "none" removes a budget; otherwise a whole number of tokens. */
function tokensOf(text: string, what: string): number | null {
  if (text === 'none') return null;
  if (!/^\d+$/.test(text)) throw new Error(`${what}: "${text}" is not a whole number of tokens (or "none")`);
  return Number(text);
}

export function registerBudgetCommands(program: Command): void {
  const budgets = program.command('budgets').description('daily token budgets (UTC days) of the fleet and its agents');
  withHubOptions(budgets.command('show').description('budgets and what each used today'))
    .action(action(async (flags: HubFlags) => {
      const view = await callHub('daily_budgets', flags, 'GET', '/api/budgets');
      if (flags.json) return printJson(view);
      process.stdout.write(`day ${view.day} (UTC), resets at ${new Date(view.resets_at).toISOString()}\n`);
      const row = (who: string, entry: Record<string, any>) => [who, entry.budget_tokens ?? '-', entry.used_tokens, entry.spent ? 'SPENT' : ''];
      printTable(['who', 'budget', 'used', ''], [row('fleet', view.fleet), ...(view.agents as Array<Record<string, any>>).map((a) => row(a.agent_id, a))]);
    }));
  withHubOptions(budgets.command('set').description('change budgets; "none" removes one')
    .option('--fleet <tokens>', 'daily budget of the whole fleet')
    .option('--agent-default <tokens>', 'daily budget of each agent without its own')
    .option('--agent <id=tokens>', 'daily budget of one agent (repeatable)', (value: string, all: string[] = []) => [...all, value]))
    .action(action(async (flags: SetFlags) => {
      const body: Record<string, unknown> = {};
      if (flags.fleet !== undefined) body.fleet = tokensOf(flags.fleet, '--fleet');
      if (flags.agentDefault !== undefined) body.agent_default = tokensOf(flags.agentDefault, '--agent-default');
      if (flags.agent?.length) {
        body.agents = Object.fromEntries(flags.agent.map((pair) => {
          const at = pair.lastIndexOf('=');
          if (at <= 0) throw new Error(`--agent: "${pair}" is not id=tokens`);
          return [pair.slice(0, at), tokensOf(pair.slice(at + 1), `--agent ${pair.slice(0, at)}`)];
        }));
      }
      if (Object.keys(body).length === 0) throw new Error('nothing to set: give --fleet, --agent-default or --agent');
      const view = await callHub('daily_budgets', flags, 'PUT', '/api/budgets', body);
      if (flags.json) return printJson(view);
      process.stdout.write(`budgets set: ${JSON.stringify(view.settings)}\n`);
    }));
}
