// `agentcom submit "<description>"` (also `agentcom tasks submit`): the one way to put a task
// in the queue from the command line. Every submit field the API takes has a flag; the task id
// alone goes to stdout (so `T=$(agentcom submit …)` works), or the hub's answer with --json.
import { Option, type Command } from 'commander';
import { priorityAliases, priorityNames } from '../../storage/domain/priorities.ts';
import { describeHubError, hubRequest, hubUrlFrom, tokenFrom } from './hub-request.ts';
import { submitFile } from './submit-file.ts';

interface SubmitFlags {
  priority?: string;
  capability: string[];
  completeBy?: string;
  metadata?: string;
  target?: string;
  maxRetries?: string;
  budgetTokens?: string;
  retryBackoffMs?: string;
  retryBackoffMaxMs?: string;
  delayMs?: string;
  notBefore?: string;
  idempotencyKey?: string;
  requiresApproval?: boolean;
  hub?: string;
  token?: string;
  json?: boolean;
  file?: string;
  after: string[];
  path: string[];
}

const priorityChoices = [...priorityNames, ...Object.keys(priorityAliases), '0', '1', '2', '3'];

export function registerSubmitCommand(program: Command): void {
  configureSubmit(program.command('submit'));
}

/** The submit command's arguments, options and action; `tasks submit` is the same command. */
export function configureSubmit(command: Command): Command {
  return command
    .description('submit a task to the hub and print its id')
    .argument('[description]', 'what the agent should do (omit with --file)')
    .addOption(new Option('--priority <lane>', 'queue lane: urgent (or critical), high, normal, low, or 0-3').choices(priorityChoices).default('normal'))
    .option('--capability <name>', 'a capability the agent must have; repeat or comma-separate for several', collectCapabilities, [])
    .option('--metadata <json>', 'a JSON object handed to the agent')
    .option('--target <agent-id>', 'recorded as metadata.target_agent (the scheduler does not route on it)')
    .option('--complete-by <time>', 'deadline as an ISO 8601 time or epoch milliseconds')
    .option('--max-retries <n>', 'retries after the first attempt before the task is dead-lettered (default 3)')
    .option('--budget-tokens <n>', 'most tokens the task may use; past it the agent is stopped and the task dead-lettered (budget_exceeded)')
    .option('--retry-backoff-ms <ms>', 'pause before the first retry, doubled for each further one (default 5000)')
    .option('--retry-backoff-max-ms <ms>', 'cap on that pause (default 300000)')
    .option('--delay-ms <ms>', 'do not assign before this many ms from now')
    .option('--not-before <time>', 'do not assign before this ISO 8601 time or epoch milliseconds')
    .option('--idempotency-key <key>', 'submitting the same key again returns the same task')
    .option('--requires-approval', 'hold the task in awaiting_approval until an operator approves it (agentcom tasks approve)')
    .option('--hub <url>', 'hub HTTP address (env AGENTCOM_HUB_URL; default http://127.0.0.1:4000)')
    .option('--token <token>', 'an agent or admin token (env AGENTCOM_TOKEN, else AGENTCOM_ADMIN_TOKEN)')
    .option('--json', "print the hub's whole answer as JSON")
    .option('--file <path>', 'submit every line of a JSONL file (task bodies; ref/depends_on_refs for a graph) in bulk')
    .option('--after <task-id>', 'wait for this task to complete first; repeat for several', (value: string, previous: string[]) => [...previous, value], [])
    .option('--path <glob>', 'a path (glob) the task will change, relative to its repo; repeat for several. Overlapping tasks never run at once', (value: string, previous: string[]) => [...previous, value], [])
    .action(async (description: string | undefined, flags: SubmitFlags) => {
      if (flags.file !== undefined) return submitFileAction(flags.file, flags);
      if (description === undefined) return failWith('give a description, or --file tasks.jsonl');
      const body = submitBody(description, flags);
      if (!body.ok) return failWith(body.reason);
      const token = tokenFrom(flags.token);
      if (!token) return failWith('no token: give --token or set AGENTCOM_TOKEN');
      const reach = await hubRequest(hubUrlFrom(flags.hub), 'POST', '/api/tasks', { token, body: body.value });
      if (!reach.ok) return failWith(reach.reason);
      const { status, body: answer } = reach.response;
      if ((status !== 201 && status !== 200) || typeof answer?.task_id !== 'string') return failWith(`submit: ${describeHubError(reach.response)}`);
      process.stdout.write(flags.json ? `${JSON.stringify(answer)}\n` : `${answer.task_id}\n`);
    });
}

function collectCapabilities(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((name) => name.trim()).filter(Boolean)];
}

type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

function submitBody(description: string, flags: SubmitFlags): BodyResult {
  if (!description.trim()) return { ok: false, reason: 'the description is empty' };
  let metadata: Record<string, unknown> = {};
  if (flags.metadata !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(flags.metadata);
    } catch (error) {
      return { ok: false, reason: `--metadata is not valid JSON (${(error as Error).message})` };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: '--metadata must be a JSON object' };
    metadata = parsed as Record<string, unknown>;
  }
  if (flags.target) metadata = { ...metadata, target_agent: flags.target };

  const priority = flags.priority ?? 'normal';
  const body: Record<string, unknown> = { description, priority: /^\d$/.test(priority) ? Number(priority) : priority };
  if (Object.keys(metadata).length > 0) body.metadata = metadata;
  if (flags.capability.length > 0) body.needed_capabilities = flags.capability;
  if (flags.after.length > 0) body.depends_on = flags.after;
  if (flags.path.length > 0) body.paths = flags.path;
  for (const [flag, field, text] of [
    ['--complete-by', 'complete_by', flags.completeBy],
    ['--not-before', 'not_before', flags.notBefore],
  ] as const) {
    if (text === undefined) continue;
    const ms = parseTime(text);
    if (ms === null) return { ok: false, reason: `${flag} ${text} is neither an ISO 8601 time nor epoch milliseconds` };
    body[field] = ms;
  }
  for (const [flag, field, text] of [
    ['--max-retries', 'max_retries', flags.maxRetries],
    ['--retry-backoff-ms', 'retry_backoff_ms', flags.retryBackoffMs],
    ['--retry-backoff-max-ms', 'retry_backoff_max_ms', flags.retryBackoffMaxMs],
    ['--delay-ms', 'delay_ms', flags.delayMs],
    ['--budget-tokens', 'budget_tokens', flags.budgetTokens],
  ] as const) {
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) return { ok: false, reason: `${flag} must be a whole number, not ${text}` };
    body[field] = Number(text);
  }
  if (flags.idempotencyKey !== undefined) body.idempotency_key = flags.idempotencyKey;
  if (flags.requiresApproval) body.requires_approval = true;
  return { ok: true, value: body };
}

async function submitFileAction(filePath: string, flags: SubmitFlags): Promise<void> {
  const token = tokenFrom(flags.token);
  if (!token) return failWith('no token: give --token or set AGENTCOM_TOKEN');
  const submitted = await submitFile(filePath, hubUrlFrom(flags.hub), token, flags.json === true);
  if (!submitted.ok) return failWith(submitted.reason);
  process.stdout.write(`${submitted.lines.join('\n')}\n`);
  if (submitted.failed > 0) process.exitCode = 1;
}

function parseTime(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  // Date.parse accepts loose forms too; insist on an ISO date at least.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function failWith(reason: string): void {
  process.stderr.write(`agentcom: ${reason}\n`);
  process.exitCode = 1;
}
