// `agentcom agent add|remove`: onboarding and teardown of one agent's sidecar.
import type { Command } from 'commander';
import { addAgent, type AddedAgent } from './agent-add.ts';
import { agentsDirFrom, readAgentConfig } from './agent-config-file.ts';
import { runOnboardingTest, type OnboardingTestOutcome } from './onboarding-test.ts';
import { pm2NameOf } from './sidecar-launch.ts';
import { removeAgent, type RemoveReport } from './agent-remove.ts';
import { hubUrlFrom, tokenFrom } from './hub-request.ts';

interface AddFlags {
  name?: string;
  capabilities?: string;
  hub?: string;
  dir?: string;
  wakeCommand?: string;
  repoDir?: string;
  start: boolean;
  enrollToken?: string;
  skipTest?: boolean;
  testTimeout?: string;
  token?: string;
  json?: boolean;
}

interface RemoveFlags {
  hub?: string;
  dir?: string;
  token?: string;
  json?: boolean;
}

export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('add or remove an agent: hub registration, sidecar config, pm2 process');

  agent
    .command('add')
    .description('register an agent with the hub, write its sidecar config and start the sidecar (under pm2 when installed)')
    .option('--name <name>', 'agent name; its slug is the agent id (default: a free Culture ship name)')
    .option('--capabilities <list>', 'comma-separated capabilities the scheduler matches, e.g. code,review')
    .option('--hub <url>', 'hub HTTP address (env AGENTCOM_HUB_URL; default http://127.0.0.1:4000)')
    .option('--dir <dir>', 'folder holding one sub-folder per agent (env AGENTCOM_HOME; default ~/.agentcom)')
    .option('--wake-command <template>', 'command that wakes the agent; ${TASK_ID}, ${TASK_JSON}, ${TASK_DESCRIPTION} are substituted, no shell')
    .option('--repo-dir <dir>', 'repository the agent works in (enables the sidecar git workflow)')
    .option('--no-start', 'write the config but do not start the sidecar')
    .option('--enroll-token <token>', 'single-use enrollment token from `agentcom token enroll` (hubs with registration: token)')
    .option('--skip-test', 'do not send the onboarding test task')
    .option('--test-timeout <seconds>', 'how long the onboarding test task may take', '60')
    .option('--token <token>', 'admin token to push the test task straight to the new agent (env AGENTCOM_TOKEN or AGENTCOM_ADMIN_TOKEN); without one it goes to the urgent lane')
    .option('--json', 'print one JSON object instead of text')
    .action(async (flags: AddFlags) => {
      const capabilities = (flags.capabilities ?? '').split(',').map((item) => item.trim()).filter(Boolean);
      const result = await addAgent({
        hubUrl: hubUrlFrom(flags.hub),
        agentsDir: agentsDirFrom(flags.dir),
        capabilities,
        start: flags.start,
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(flags.wakeCommand ? { wakeCommand: flags.wakeCommand } : {}),
        ...(flags.repoDir ? { repoDir: flags.repoDir } : {}),
        ...(flags.enrollToken ? { enrollToken: flags.enrollToken } : {}),
      });
      if (!result.ok) return failWith(result.reason, flags.json);
      const added = result.value;
      if (!flags.json) process.stdout.write(describeAdded(added, flags));
      if (added.start.how === 'pm2_failed') process.exitCode = 1;
      let test: OnboardingTestOutcome | null = null;
      if (added.status === 'created' && added.start.how === 'pm2' && !flags.skipTest) {
        const adminToken = tokenFrom(flags.token);
        const line = progressLine();
        test = await runOnboardingTest({
          hubUrl: added.hub_api_url, agentId: added.agent_id, agentToken: readToken(added.config_path),
          timeoutMs: Math.max(1, Number(flags.testTimeout) || 60) * 1000, progress: line.show,
          ...(adminToken ? { adminToken } : {}),
        });
        line.clear();
        if (!test.works) process.exitCode = 1;
        if (!flags.json) {
          process.stdout.write(test.works
            ? `${added.agent_id} works: it completed the onboarding test task ${test.task_id} (${test.detail}).\n`
            : `${added.agent_id} does NOT work yet: the onboarding test task ${test.task_id ?? '(none)'} ${test.detail}. Check the sidecar's log (pm2 logs ${pm2NameOf(added.agent_id)}) and its wake_command.\n`);
        }
      } else if (!flags.json && added.status === 'created' && !flags.skipTest) {
        process.stdout.write('No onboarding test: the sidecar was not started here. Start it, then submit a task to see it work.\n');
      }
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...added, onboarding_test: test })}\n`);
    });

  agent
    .command('remove')
    .description("stop the agent's sidecar, revoke its token (its tasks return to the queue) and delete its config folder")
    .argument('<agent-id>', 'the agent id, as shown by `agent add`')
    .option('--hub <url>', "hub HTTP address (default: the agent config's hub_api_url, env AGENTCOM_HUB_URL, http://127.0.0.1:4000)")
    .option('--dir <dir>', 'folder holding one sub-folder per agent (env AGENTCOM_HOME; default ~/.agentcom)')
    .option('--token <token>', "admin token (env AGENTCOM_TOKEN or AGENTCOM_ADMIN_TOKEN); default: the agent's own token from its config")
    .option('--json', 'print one JSON object instead of text')
    .action(async (agentId: string, flags: RemoveFlags) => {
      const adminToken = tokenFrom(flags.token);
      const report = await removeAgent({
        agentId,
        agentsDir: agentsDirFrom(flags.dir),
        ...(flags.hub ? { hubFlag: flags.hub } : {}),
        ...(adminToken ? { adminToken } : {}),
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else process.stdout.write(describeRemoved(report));
      if (!report.ok) process.exitCode = 1;
    });
}

function describeAdded(added: AddedAgent, flags: AddFlags): string {
  const lines: string[] = [];
  if (added.status === 'exists') {
    lines.push(`${added.agent_id} is already set up: ${added.config_path} holds a token that ${added.hub_api_url} still accepts. Nothing changed.`);
    lines.push(`Start its sidecar, if it is not running:`, `  ${added.start_commands.foreground}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Registered ${added.agent_id}${added.name !== added.agent_id ? ` ("${added.name}")` : ''} with ${added.hub_api_url}.`);
  lines.push(`Wrote ${added.config_path} (mode 0600: it holds the agent's token).`);
  const { workspace } = added;
  if (workspace?.how === 'cloned') lines.push(`Cloned the hub's default repository ${workspace.url} into ${workspace.repo_dir} (the agent's repo_dir).`);
  if (workspace?.how === 'clone_failed') lines.push(`Could not clone the hub's default repository ${workspace.url}: ${workspace.detail}`, 'Clone it yourself and set repo_dir in the config:', `  ${workspace.command}`);
  if (!flags.wakeCommand) lines.push('No --wake-command: the sidecar will accept tasks but wake nothing; set wake_command in the config.');
  const { start } = added;
  if (start.how === 'pm2') lines.push(`Started the sidecar under pm2 as ${start.pm2_name} (\`pm2 save\` keeps it across reboots).`);
  if (start.how === 'pm2_failed') lines.push(`pm2 could not start ${start.pm2_name}: ${start.output}`, 'Start it by hand:', `  ${added.start_commands.pm2}`);
  if (start.how === 'no_pm2') lines.push('pm2 is not installed, so the sidecar was not started. Run it with:', `  ${added.start_commands.foreground}`, 'or, once pm2 is installed:', `  ${added.start_commands.pm2}`);
  if (start.how === 'not_requested') lines.push('Not started (--no-start). Run the sidecar with:', `  ${added.start_commands.foreground}`, 'or under pm2:', `  ${added.start_commands.pm2}`);
  return `${lines.join('\n')}\n`;
}

function describeRemoved(report: RemoveReport): string {
  const labels = { stop_sidecar: 'stop sidecar', revoke_token: 'revoke token', remove_config: 'remove config' } as const;
  const lines = report.steps.map((step) => `${labels[step.step]}: ${step.outcome} (${step.detail})`);
  lines.push(report.ok ? `${report.agent_id} removed.` : `${report.agent_id} is not fully removed; fix the failed step and run this again.`);
  return `${lines.join('\n')}\n`;
}

/** A progress line on stderr: rewritten in place on a terminal, else printed every 5 s. */
function progressLine(): { show: (line: string) => void; clear: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  return {
    show(line) {
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else if (Date.now() - lastPrinted >= 5_000) {
        lastPrinted = Date.now();
        process.stderr.write(`${line}\n`);
      }
    },
    clear() {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}

function readToken(configPath: string): string {
  const read = readAgentConfig(configPath);
  return read.state === 'present' && typeof read.config.token === 'string' ? read.config.token : '';
}

function failWith(reason: string, json: boolean | undefined): void {
  if (json) process.stdout.write(`${JSON.stringify({ status: 'error', error: reason })}\n`);
  process.stderr.write(`agentcom: ${reason}\n`);
  process.exitCode = 1;
}
