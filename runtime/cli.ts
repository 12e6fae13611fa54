// The `agentcom` command line. Each subcommand group lives in runtime/commands/.
import { Command } from 'commander';
import { registerAgentCommands as registerOnboardingCommands } from './commands/agent.ts';
import { registerAgentCommands as registerAgentListCommands } from './commands/agents.ts';
import { caFileVariable } from './commands/hub-request.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerOperatorCommands } from './commands/operator.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerSubmitCommand } from './commands/submit.ts';
import { registerTaskCommands } from './commands/tasks.ts';
import { registerApprovalCommands } from './commands/approvals.ts';
import { registerTokenCommands } from './commands/token.ts';
import { registerScheduleCommands } from './commands/schedules.ts';
import { registerLimitsCommands } from './commands/limits.ts';
import { registerBudgetCommands } from './commands/budgets.ts';
import { version } from './version.ts';

function buildProgram(): Command {
  const program = new Command();
  program.name('agentcom').description('AgentCom: a durable work hub for fleets of AI coding agents').version(version);
  program.option('--ca-file <file>', `PEM CA that signed an https hub's certificate (env ${caFileVariable})`);
  program.hook('preAction', () => {
    const caFile = program.opts<{ caFile?: string }>().caFile;
    if (caFile) process.env[caFileVariable] = caFile;
  });
  registerStartCommand(program);
  registerSubmitCommand(program);
  registerTaskCommands(program);
  registerApprovalCommands(program);
  registerAgentListCommands(program);
  registerOnboardingCommands(program);
  registerTokenCommands(program);
  registerScheduleCommands(program);
  registerBackupCommands(program);
  registerLimitsCommands(program);
  registerBudgetCommands(program);
  registerOperatorCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
