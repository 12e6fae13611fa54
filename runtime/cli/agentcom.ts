// The `agentcom` command line. Each subcommand group has a file beside this one, apart from the hub it starts or calls.
import { Command } from 'commander';
import { registerAgentCommands as registerOnboardingCommands } from './agent.ts';
import { registerAgentCommands as registerAgentListCommands } from './agents.ts';
import { caFileVariable } from './hub-request.ts';
import { registerBackupCommands } from './backup.ts';
import { registerOperatorCommands } from './operator.ts';
import { registerStartCommand } from './start.ts';
import { registerSubmitCommand } from './submit.ts';
import { registerTaskCommands } from './tasks.ts';
import { registerApprovalCommands } from './approvals.ts';
import { registerTokenCommands } from './token.ts';
import { registerScheduleCommands } from './schedules.ts';
import { registerLimitsCommands } from './limits.ts';
import { registerBudgetCommands } from './budgets.ts';
import { version } from '../version.ts';

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
