// `agentcom submit "<description>"`: the quick way to put one task in the queue.
import { Option, type Command } from 'commander';
import { describeHubError, hubRequest, hubUrlFrom, tokenFrom } from './hub-request.ts';
import { submitFile } from './submit-file.ts';

interface SubmitFlags {
  priority?: string;
  capability: string[];
  completeBy?: string;
  metadata?: string;
  target?: string;
  hub?: string;
  token?: string;
  json?: boolean;
  file?: string;
  after: string[];
}

export function registerSubmitCommand(program: Command): void {
  program
    .command('submit')
    .description('submit a task to the hub and print its id')
    .argument('[description]', 'what the agent should do (omit with --file)')
    // `high` is accepted and `critical` is not offered: the original CLI had it the other way round (quirk 8).
    .addOption(new Option('--priority <priority>', 'queue lane').choices(['urgent', 'high', 'normal', 'low']).default('normal'))
    .option('--capability <name>', 'a capability the agent must have; repeat for several', (value: string, previous: string[]) => [...previous, value], [])
    .option('--complete-by <time>', 'deadline as an ISO 8601 time or epoch milliseconds')
    .option('--metadata <json>', 'a JSON object stored with the task')
    .option('--target <agent-id>', 'recorded as metadata.target_agent (the scheduler does not route on it)')
    .option('--hub <url>', 'hub HTTP address (env AGENTCOM_HUB_URL; default http://127.0.0.1:4000)')
    .option('--token <token>', 'an agent or admin token (env AGENTCOM_TOKEN or AGENTCOM_ADMIN_TOKEN)')
    .option('--json', "print the hub's whole answer as JSON")
    .option('--file <path>', 'submit every line of a JSONL file (task bodies; ref/depends_on_refs for a graph) in bulk')
    .option('--after <task-id>', 'wait for this task to complete first; repeat for several', (value: string, previous: string[]) => [...previous, value], [])
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

  const body: Record<string, unknown> = { description, priority: flags.priority ?? 'normal' };
  if (Object.keys(metadata).length > 0) body.metadata = metadata;
  if (flags.capability.length > 0) body.needed_capabilities = flags.capability;
  if (flags.after.length > 0) body.depends_on = flags.after;
  if (flags.completeBy !== undefined) {
    const completeByMs = parseTime(flags.completeBy);
    if (completeByMs === null) return { ok: false, reason: `--complete-by ${flags.completeBy} is neither an ISO 8601 time nor epoch milliseconds` };
    body.complete_by = completeByMs;
  }
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
