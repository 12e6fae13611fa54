// What an operator reaches for at 3 a.m.: cancel a task, retry or purge dead letters in
// bulk, and turn the hub's log level up or down, all over the running hub's HTTP API.
import type { Command } from 'commander';
import { action, callHub, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

interface BulkFlags extends HubFlags {
  all?: boolean;
}

export function registerOperatorCommands(program: Command): void {
  withHubOptions(program.command('cancel <task_id...>').description('cancel queued, delayed or assigned tasks (a running agent is stopped)'))
    .action(action(async (taskIds: string[], flags: HubFlags) => {
      const results = [];
      for (const taskId of taskIds) results.push(await callHub('task_cancelled', flags, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/cancel`));
      if (flags.json) return printJson(results);
      for (const result of results) process.stdout.write(`${String(result.task_id)} ${String(result.status)}\n`);
    }));

  const letters = program.command('dead-letters').description('list, retry or purge dead-lettered tasks');
  withHubOptions(letters.command('list').description('every dead letter, oldest first'))
    .action(action(async (flags: HubFlags) => {
      const tasks = await allDeadLetters(flags);
      if (flags.json) return printJson(tasks);
      printTable(['id', 'retries', 'last_error', 'description'],
        tasks.map((task) => [task.id, task.retry_count, String(task.last_error ?? '').slice(0, 60), String(task.description).slice(0, 50)]));
    }));
  withHubOptions(letters.command('retry [task_id...]').description('requeue dead letters with a fresh retry budget'))
    .option('--all', 'every dead letter')
    .action(action(async (taskIds: string[], flags: BulkFlags) => {
      const ids = await chosen(taskIds, flags);
      const retried: string[] = [];
      for (const id of ids) {
        await callHub('task_requeued', flags, 'POST', `/api/tasks/${encodeURIComponent(id)}/retry`);
        retried.push(id);
      }
      if (flags.json) return printJson({ status: 'requeued', count: retried.length, task_ids: retried });
      process.stdout.write(`requeued ${retried.length} dead letter${retried.length === 1 ? '' : 's'}\n`);
    }));
  withHubOptions(letters.command('purge [task_id...]').description('delete dead letters for good'))
    .option('--all', 'every dead letter (one transaction on the hub)')
    .action(action(async (taskIds: string[], flags: BulkFlags) => {
      let count = 0;
      if (flags.all) count = Number((await callHub('dead_letters_purged', flags, 'DELETE', '/api/tasks/dead-letter')).count);
      else for (const id of await chosen(taskIds, flags)) count += Number((await callHub('dead_letters_purged', flags, 'DELETE', `/api/tasks/dead-letter/${encodeURIComponent(id)}`)).count);
      if (flags.json) return printJson({ status: 'purged', count });
      process.stdout.write(`purged ${count} dead letter${count === 1 ? '' : 's'}\n`);
    }));

  withHubOptions(program.command('log-level <level>').description("set the running hub's log level: debug, info, notice, warning or error"))
    .action(action(async (level: string, flags: HubFlags) => {
      const result = await callHub('log_level_set', flags, 'PUT', '/api/admin/log-level', { level });
      if (flags.json) return printJson(result);
      process.stdout.write(`log level ${String(result.level)}\n`);
    }));
}

async function chosen(taskIds: string[], flags: BulkFlags): Promise<string[]> {
  if (flags.all && taskIds.length > 0) throw new Error('give task ids or --all, not both');
  if (flags.all) return (await allDeadLetters(flags)).map((task) => String(task.id));
  if (taskIds.length === 0) throw new Error('give task ids, or --all for every dead letter');
  return taskIds;
}

async function allDeadLetters(flags: HubFlags): Promise<Array<Record<string, any>>> {
  const tasks: Array<Record<string, any>> = [];
  let cursor: unknown = null;
  do {
    const query = cursor === null ? '?limit=100' : `?limit=100&cursor=${encodeURIComponent(String(cursor))}`;
    const page = await callHub('task_page', flags, 'GET', `/api/tasks/dead-letter${query}`);
    tasks.push(...(page.tasks as Array<Record<string, any>>));
    cursor = page.next_cursor ?? null;
  } while (cursor !== null);
  return tasks;
}
