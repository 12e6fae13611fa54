// `agentcom token create|list|revoke`: token management on a running hub (admin token needed,
// except that an agent may revoke its own).
import type { Command } from 'commander';
import { action, callHub, formatTime, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

interface CreateFlags extends HubFlags {
  admin?: boolean;
  agent?: string;
  name?: string;
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('create, list and revoke API tokens');

  withHubOptions(token.command('create').description('create an agent token (--agent) or an admin token (--admin); printed once'))
    .option('--admin', 'an admin-scope token')
    .option('--agent <agent_id>', 'the agent the token acts for')
    .option('--name <name>', 'a label shown by `token list`')
    .action(action(async (flags: CreateFlags) => {
      if (!flags.admin && !flags.agent) throw new Error('give --agent <agent_id> or --admin');
      const created = await callHub('token_created', flags, 'POST', '/admin/tokens', {
        ...(flags.agent ? { agent_id: flags.agent } : {}),
        ...(flags.admin ? { admin: true } : {}),
        ...(flags.name ? { name: flags.name } : {}),
      });
      if (flags.json) return printJson(created);
      process.stdout.write(`${String(created.token)}\n`);
      process.stderr.write(`${String(created.scope ?? 'agent')} token${created.agent_id ? ` for ${String(created.agent_id)}` : ''}; it is not shown again\n`);
    }));

  withHubOptions(token.command('enroll').description('issue a single-use enrollment token for `registration: token` (printed once)'))
    .option('--ttl <duration>', 'how long it stays valid: 90s, 30m, 1h, 2d', '1h')
    .action(action(async (flags: HubFlags & { ttl: string }) => {
      const ttlMs = durationMs(flags.ttl);
      if (ttlMs === null) throw new Error(`--ttl ${flags.ttl}: give a number with s, m, h or d (e.g. 1h)`);
      const issued = await callHub('enrollment_token', flags, 'POST', '/api/admin/enrollment-tokens', { ttl_ms: ttlMs });
      if (flags.json) return printJson(issued);
      process.stdout.write(`${String(issued.token)}\n`);
      process.stderr.write(`single-use enrollment token, valid until ${formatTime(issued.expires_at)}; use it with \`agentcom agent add --enroll-token <token>\`\n`);
    }));

  withHubOptions(token.command('list').description('token prefixes, scopes and owners (never the tokens)'))
    .action(action(async (flags: HubFlags) => {
      const result = await callHub('token_list', flags, 'GET', '/admin/tokens');
      if (flags.json) return printJson(result);
      printTable(['prefix', 'scope', 'agent_id', 'name', 'created'],
        (result.tokens as Array<Record<string, any>>).map((t) => [t.token_prefix, t.scope, t.agent_id, t.name, formatTime(t.created_at)]));
    }));

  withHubOptions(token.command('revoke <agent_id>').description("revoke every token of an agent and close its socket"))
    .action(action(async (agentId: string, flags: HubFlags) => {
      const result = await callHub('tokens_revoked', flags, 'DELETE', `/admin/tokens/${encodeURIComponent(agentId)}`);
      if (flags.json) return printJson(result);
      process.stdout.write(`${String(result.agent_id)} ${String(result.status)} (${String(result.count ?? '?')} token(s))\n`);
    }));
}

/** `90s`, `30m`, `1h`, `2d` (or plain milliseconds) in ms; null when unreadable. */
export function durationMs(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}
