// `agentcom limits`: rate limits on a running hub (admin token): show defaults,
// overrides, the whitelist and who is limited now; set or clear one agent's override;
// add to or remove from the whitelist.
import type { Command } from 'commander';
import { action, callHub, formatTime, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

interface SetFlags extends HubFlags {
  tier: string;
  capacity: string;
  refill: string;
}

const base = '/api/admin/rate-limits';

export function registerLimitsCommands(program: Command): void {
  const limits = program.command('limits').description('rate limits: show, per-agent overrides, whitelist');

  withHubOptions(limits.command('show', { isDefault: true }).description('defaults, overrides, whitelist and who was limited in the last minute'))
    .action(action(async (flags: HubFlags) => {
      const view = await callHub('rate_limits', flags, 'GET', base);
      if (flags.json) return printJson(view);
      const rows: unknown[][] = Object.entries(view.defaults as Record<string, Record<string, number>>)
        .map(([tier, limit]) => ['(default)', tier, limit.capacity, limit.refill_rate_per_min]);
      for (const [agent, tiers] of Object.entries(view.overrides as Record<string, Record<string, Record<string, number>>>)) {
        for (const [tier, limit] of Object.entries(tiers)) rows.push([agent, tier, limit.capacity, limit.refill_rate_per_min]);
      }
      printTable(['agent', 'tier', 'capacity', 'refill/min'], rows);
      process.stdout.write(`\nwhitelist: ${(view.whitelist as string[]).join(', ') || '-'}\n\n`);
      const limited = view.limited as Array<Record<string, any>>;
      if (limited.length === 0) return void process.stdout.write('nobody limited in the last minute\n');
      printTable(['who', 'channel', 'tier', 'denials', 'last denied', 'retry in ms'],
        limited.map((l) => [l.key, l.channel, l.tier, l.denials, formatTime(l.denied_at), l.retry_after_ms]));
    }));

  withHubOptions(limits.command('set <agent_id>').description("replace one tier's limit for an agent (its buckets start full)"))
    .requiredOption('--tier <tier>', 'light, normal or heavy')
    .requiredOption('--capacity <n>', 'bucket size (burst)')
    .requiredOption('--refill <per_min>', 'tokens added per minute')
    .action(action(async (agentId: string, flags: SetFlags) => {
      const body = { [flags.tier]: { capacity: Number(flags.capacity), refill_rate_per_min: Number(flags.refill) } };
      const result = await callHub('rate_limit_override_changed', flags, 'PUT', `${base}/${encodeURIComponent(agentId)}`, body);
      if (flags.json) return printJson(result);
      process.stdout.write(`${agentId}: ${JSON.stringify(result.overrides)}\n`);
    }));

  withHubOptions(limits.command('clear <agent_id>').description("remove an agent's overrides (back to the defaults)"))
    .action(action(async (agentId: string, flags: HubFlags) => {
      const result = await callHub('rate_limit_override_changed', flags, 'DELETE', `${base}/${encodeURIComponent(agentId)}`);
      if (flags.json) return printJson(result);
      process.stdout.write(`${agentId} ${String(result.status)}\n`);
    }));

  withHubOptions(limits.command('exempt <agent_id>').description('add an agent to the whitelist (never limited)'))
    .action(action(async (agentId: string, flags: HubFlags) => {
      const result = await callHub('whitelist_changed', flags, 'POST', `${base}/whitelist`, { agent_id: agentId });
      if (flags.json) return printJson(result);
      process.stdout.write(`whitelist: ${(result.whitelist as string[]).join(', ')}\n`);
    }));

  withHubOptions(limits.command('unexempt <agent_id>').description('remove an agent from the whitelist'))
    .action(action(async (agentId: string, flags: HubFlags) => {
      const result = await callHub('whitelist_changed', flags, 'DELETE', `${base}/whitelist/${encodeURIComponent(agentId)}`);
      if (flags.json) return printJson(result);
      process.stdout.write(`whitelist: ${(result.whitelist as string[]).join(', ') || '-'}\n`);
    }));
}
