// agentcom-git: start-task, submit, status. Each prints one JSON line and exits 0 or 1.
import path from 'node:path';
import { Command } from 'commander';
import type { Result } from '../../storage/domain/errors.ts';
import { startTask } from './start-task.ts';
import { status } from './status.ts';
import { submit, type SubmitTask } from './submit.ts';
import { commit } from './commit.ts';

function printResult(result: Result<object>): void {
  if (result.ok) {
    process.stdout.write(`${JSON.stringify({ status: 'ok', ...result.value })}\n`);
    process.exitCode = 0;
  } else {
    process.stdout.write(`${JSON.stringify({ status: 'error', error: result.detail, code: result.code })}\n`);
    process.exitCode = 1;
  }
}

function printUsageError(message: string): void {
  process.stdout.write(`${JSON.stringify({ status: 'error', error: message, code: 'AC_ERR_VALIDATION' })}\n`);
  process.exitCode = 1;
}

/** The original CLI took one JSON argument; accept it so old callers keep working. */
function parseJsonArgument(text: string | undefined): Record<string, unknown> | null | 'invalid' {
  if (text === undefined || !text.trimStart().startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : 'invalid';
  } catch {
    return 'invalid';
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const defaultAgent = (): string => process.env.AGENTCOM_AGENT_ID ?? 'agent';

function buildGitProgram(): Command {
  const program = new Command('agentcom-git').description('Git workflow for AgentCom task branches');

  program
    .command('start-task')
    .argument('<task-id>', 'task id (or the original JSON argument)')
    .option('--description <text>', 'task description, used for the branch name', '')
    .option('--agent <id>', 'agent id, used for the branch prefix')
    .option('--repo <dir>', 'repository folder', '.')
    .action(async (taskIdOrJson: string, options: { description: string; agent?: string; repo: string }) => {
      const json = parseJsonArgument(taskIdOrJson);
      if (json === 'invalid') return printUsageError('start-task: argument is not a JSON object');
      const taskId = json ? str(json.task_id) : taskIdOrJson;
      if (!taskId) return printUsageError('start-task: task_id is required');
      printResult(
        await startTask({
          repoDir: path.resolve(options.repo),
          taskId,
          agentId: (json && str(json.agent_id)) ?? options.agent ?? defaultAgent(),
          description: (json && str(json.description)) ?? options.description,
        }),
      );
    });

  program
    .command('submit')
    .argument('[json]', 'the original JSON argument {agent_id, task_id, task}')
    .option('--task-json <json>', 'the task: {task_id, description, metadata}')
    .option('--agent <id>', 'agent id for the PR labels and body')
    .option('--reviewer <login>', 'GitHub reviewer to request')
    .option('--repo <dir>', 'repository folder', '.')
    .action(async (jsonText: string | undefined, options: { taskJson?: string; agent?: string; reviewer?: string; repo: string }) => {
      const json = parseJsonArgument(jsonText);
      const taskJson = parseJsonArgument(options.taskJson);
      if (json === 'invalid' || taskJson === 'invalid') return printUsageError('submit: task JSON is not a JSON object');
      const task = (taskJson ?? (json?.task as SubmitTask | undefined) ?? {}) as SubmitTask;
      if (json && !task.task_id && str(json.task_id)) task.task_id = str(json.task_id);
      printResult(
        await submit({
          repoDir: path.resolve(options.repo),
          agentId: (json && str(json.agent_id)) ?? options.agent ?? defaultAgent(),
          reviewer: options.reviewer,
          task,
        }),
      );
    });

  program
    .command('commit')
    .description('stage every change and commit it, refusing files outside the task\'s path leases')
    .requiredOption('-m, --message <text>', 'commit message')
    .option('--task-json <json>', 'the task with its paths (default: $AGENTCOM_TASK_JSON, which the sidecar sets for the agent)')
    .option('--lease <glob...>', 'more lease globs (extra leases the agent took)')
    .option('--force', 'commit even files outside the leases', false)
    .option('--repo <dir>', 'repository folder', '.')
    .action(async (options: { message: string; taskJson?: string; lease?: string[]; force: boolean; repo: string }) => {
      const task = parseJsonArgument(options.taskJson ?? process.env.AGENTCOM_TASK_JSON);
      if (task === 'invalid') return printUsageError('commit: task JSON is not a JSON object');
      const paths = Array.isArray(task?.paths) ? task.paths.filter((glob): glob is string => typeof glob === 'string') : [];
      const leases = [...paths, ...(options.lease ?? [])];
      printResult(await commit({ repoDir: path.resolve(options.repo), message: options.message, leases, force: options.force }));
    });

  program
    .command('status')
    .option('--repo <dir>', 'repository folder', '.')
    .action(async (options: { repo: string }) => {
      printResult(await status(path.resolve(options.repo)));
    });

  return program;
}

await buildGitProgram().parseAsync(process.argv);
