// `agentcom approvals list|answer`: the approvals inbox of a running hub (admin token):
// agents' questions and the tasks awaiting approval (`agentcom tasks approve|reject` decide those).
import type { Command } from 'commander';
import { action, callHub, formatTime, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';

export function registerApprovalCommands(program: Command): void {
  const approvals = program.command('approvals').description("the approvals inbox: agents' questions and tasks awaiting approval");

  withHubOptions(approvals.command('list').description('pending questions and gated tasks, oldest first'))
    .option('--status <status>', 'pending, answered, closed or all (default pending)')
    .option('--limit <n>', 'at most this many of each')
    .action(action(async (flags: HubFlags & { status?: string; limit?: string }) => {
      const query = new URLSearchParams();
      if (flags.status) query.set('status', flags.status);
      if (flags.limit) query.set('limit', flags.limit);
      const list = await callHub('approval_list', flags, 'GET', `/api/approvals${query.size ? `?${query}` : ''}`);
      if (flags.json) return printJson(list);
      printTable(['id', 'status', 'task', 'agent', 'asked', 'question / answer'],
        (list.approvals as Array<Record<string, any>>).map((a) => [
          a.id, a.status, a.task_id, a.agent_id, formatTime(a.asked_at), String(a.answer ?? a.question).slice(0, 60),
        ]));
      const gated = list.tasks_awaiting_approval as Array<Record<string, any>>;
      if (gated.length > 0) {
        process.stdout.write('\ntasks awaiting approval (agentcom tasks approve|reject <id>):\n');
        printTable(['id', 'submitted', 'by', 'description'], gated.map((t) => [t.id, formatTime(t.created_at), t.submitted_by, String(t.description).slice(0, 60)]));
      }
    }));

  withHubOptions(approvals.command('answer <approval_id> <answer>').description("answer an agent's question; the sidecar writes it to <task_id>.answer.json"))
    .action(action(async (approvalId: string, answer: string, flags: HubFlags) => {
      const result = await callHub('approval', flags, 'POST', `/api/approvals/${encodeURIComponent(approvalId)}`, { answer });
      if (flags.json) return printJson(result);
      process.stdout.write(`${String(result.id)} answered for task ${String(result.task_id)}\n`);
    }));
}
