// `agentcom schedules list|create|pause|resume|delete`: recurring tasks on a running hub.
import type { Command } from 'commander';
import { action, callHub, formatTime, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

interface CreateFlags extends HubFlags {
  timezone?: string;
  catchUp?: string;
  name?: string;
  priority?: string;
  capability?: string[];
  metadata?: string;
}

export function registerScheduleCommands(program: Command): void {
  const schedules = program.command('schedules').description('recurring tasks: a task submitted at each cron firing');

  withHubOptions(schedules.command('list').description('every schedule with its next firing'))
    .action(action(async (flags: HubFlags) => {
      const listed = await callHub('schedule_list', flags, 'GET', '/api/schedules');
      if (flags.json) return printJson(listed);
      printTable(['id', 'name', 'cron', 'timezone', 'catch_up', 'paused', 'next', 'description'],
        (listed.schedules as Array<Record<string, any>>).map((s) => [
          s.id, s.name, s.cron, s.timezone, s.catch_up, s.paused ? 'yes' : 'no',
          s.next_fire_at ? formatTime(s.next_fire_at) : '—', String(s.task?.description ?? '').slice(0, 40),
        ]));
    }));

  withHubOptions(schedules.command('create <cron> <description>').description('submit a task with this description at each firing of <cron>'))
    .option('--timezone <zone>', 'IANA time zone the cron is read in', 'UTC')
    .option('--catch-up <policy>', 'firings missed while the hub was down: none, last or all', 'last')
    .option('--name <name>', 'a name to recognise it by')
    .option('--priority <lane>', 'urgent, high, normal or low', 'normal')
    .option('--capability <name...>', 'capabilities the agent must have')
    .option('--metadata <json>', 'JSON object handed to the agent')
    .action(action(async (cron: string, description: string, flags: CreateFlags) => {
      const task: Record<string, unknown> = { description, priority: flags.priority };
      if (flags.capability) task.needed_capabilities = flags.capability;
      if (flags.metadata) task.metadata = JSON.parse(flags.metadata) as unknown;
      const body: Record<string, unknown> = { cron, timezone: flags.timezone, catch_up: flags.catchUp, task };
      if (flags.name) body.name = flags.name;
      const created = await callHub('schedule', flags, 'POST', '/api/schedules', body);
      if (flags.json) return printJson(created);
      process.stdout.write(`${String(created.id)} next ${formatTime(created.next_fire_at)}\n`);
    }));

  for (const [verb, method, suffix] of [['pause', 'POST', '/pause'], ['resume', 'POST', '/resume'], ['delete', 'DELETE', '']] as const) {
    withHubOptions(schedules.command(`${verb} <schedule_id>`).description(`${verb} a schedule`))
      .action(action(async (id: string, flags: HubFlags) => {
        const result = await callHub(method === 'DELETE' ? 'schedule_deleted' : 'schedule', flags, method, `/api/schedules/${encodeURIComponent(id)}${suffix}`);
        if (flags.json) return printJson(result);
        process.stdout.write(`${id} ${'paused' in result ? (result.paused ? 'paused' : 'active') : 'deleted'}\n`);
      }));
  }
}
