// `agentcom tasks submit|list|show|cancel|retry|approve|reject|priority`: the task API of a running hub.
import type { Command } from 'commander';
import { configureSubmit } from './submit.ts';
import { action, callHub, formatTime, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

const priorityNames = ['urgent', 'high', 'normal', 'low'];

interface ListFlags extends HubFlags {
  status?: string;
  priority?: string;
  assignedTo?: string;
  capability?: string;
  limit?: string;
  cursor?: string;
}

export function registerTaskCommands(program: Command): void {
  const tasks = program.command('tasks').description('submit and inspect tasks on a running hub');

  // The same command as `agentcom submit`: one set of options, one output.
  configureSubmit(tasks.command('submit'));

  withHubOptions(tasks.command('list').description('list tasks, newest pages by --cursor'))
    .option('--status <status>', 'queued, delayed, waiting, awaiting_approval, assigned, completed, dead_letter or cancelled')
    .option('--priority <lane>', 'lane name or 0-3')
    .option('--assigned-to <agent>', 'only tasks held by this agent')
    .option('--capability <name>', 'only tasks needing this capability')
    .option('--limit <n>', 'page size')
    .option('--cursor <n>', 'next_cursor of the previous page')
    .action(action(async (flags: ListFlags) => {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries({
        status: flags.status, priority: flags.priority, assigned_to: flags.assignedTo,
        capability: flags.capability, limit: flags.limit, cursor: flags.cursor,
      })) if (value !== undefined) query.set(key, value);
      const path = flags.status === 'dead_letter' ? '/api/tasks/dead-letter' : '/api/tasks';
      const page = await callHub('task_page', flags, 'GET', `${path}${query.size ? `?${query}` : ''}`);
      if (flags.json) return printJson(page);
      printTable(['id', 'status', 'priority', 'assigned_to', 'gen', 'created', 'description'],
        (page.tasks as Array<Record<string, any>>).map((t) => [
          t.id, t.status, priorityNames[t.priority] ?? t.priority, t.assigned_to, t.generation,
          formatTime(t.created_at), String(t.description).slice(0, 50),
        ]));
      if (page.next_cursor !== null && page.next_cursor !== undefined) process.stdout.write(`more: --cursor ${String(page.next_cursor)}\n`);
    }));

  withHubOptions(tasks.command('show <task_id>').description('one task with its history'))
    .action(action(async (taskId: string, flags: HubFlags) => {
      const task = await callHub('task_detail', flags, 'GET', `/api/tasks/${encodeURIComponent(taskId)}`);
      if (flags.json) return printJson(task);
      for (const [key, value] of Object.entries(task as Record<string, unknown>)) {
        if (key === 'history') continue;
        process.stdout.write(`${key.padEnd(20)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}\n`);
      }
      printTable(['time', 'event', 'details'], (task.history as Array<Record<string, any>>).map((h) => [formatTime(h.timestamp), h.event, JSON.stringify(h.details)]));
    }));

  withHubOptions(tasks.command('cancel <task_id>').description('cancel a queued, delayed or assigned task'))
    .action(action(async (taskId: string, flags: HubFlags) => {
      const result = await callHub('task_cancelled', flags, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/cancel`);
      if (flags.json) return printJson(result);
      process.stdout.write(`${String(result.task_id)} ${String(result.status)}\n`);
    }));

  withHubOptions(tasks.command('approve <task_id>').description('approve a task awaiting approval: it goes on to its dependencies, delay and lane (admin token)'))
    .option('--note <text>', 'kept with the decision')
    .action(action(async (taskId: string, flags: HubFlags & { note?: string }) => {
      const result = await callHub('approval_decided', flags, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/approve`, flags.note ? { note: flags.note } : {});
      if (flags.json) return printJson(result);
      process.stdout.write(`${String(result.task_id)} approved, now ${String(result.status)}\n`);
    }));

  withHubOptions(tasks.command('reject <task_id>').description('reject a task awaiting approval: it is cancelled with reason rejected (admin token)'))
    .requiredOption('--reason <text>', 'why; kept as the task\'s last_error')
    .action(action(async (taskId: string, flags: HubFlags & { reason: string }) => {
      const result = await callHub('approval_decided', flags, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/reject`, { reason: flags.reason });
      if (flags.json) return printJson(result);
      process.stdout.write(`${String(result.task_id)} rejected, now ${String(result.status)}\n`);
    }));

  withHubOptions(tasks.command('priority <task_id> <lane>').description('move a queued, delayed or waiting task to another lane (urgent, high, normal, low or 0-3)'))
    .action(action(async (taskId: string, lane: string, flags: HubFlags) => {
      const priority = /^[0-3]$/.test(lane) ? Number(lane) : lane;
      const result = await callHub('task_reprioritised', flags, 'PATCH', `/api/tasks/${encodeURIComponent(taskId)}`, { priority });
      if (flags.json) return printJson(result);
      const from = priorityNames[result.previous_priority] ?? result.previous_priority;
      const to = priorityNames[result.priority] ?? result.priority;
      process.stdout.write(result.changed ? `${String(result.task_id)} ${String(from)} -> ${String(to)}\n` : `${String(result.task_id)} already ${String(to)}\n`);
    }));

  withHubOptions(tasks.command('retry <task_id>').description('requeue a dead-lettered task with a fresh retry budget'))
    .action(action(async (taskId: string, flags: HubFlags) => {
      const result = await callHub('task_requeued', flags, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/retry`);
      if (flags.json) return printJson(result);
      process.stdout.write(`${String(result.task_id)} ${String(result.status)}\n`);
    }));
}
