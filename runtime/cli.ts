// The `agentcom` command line. Each subcommand group lives in runtime/commands/.
import { Command } from 'commander';
import { registerAgentCommands as registerOnboardingCommands } from './commands/agent.ts';
import { registerAgentCommands as registerAgentListCommands } from './commands/agents.ts';
import { registerOperatorCommands } from './commands/operator.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerSubmitCommand } from './commands/submit.ts';
import { registerTaskCommands } from './commands/tasks.ts';
import { registerTokenCommands } from './commands/token.ts';
import { version } from './version.ts';

function buildProgram(): Command {
  const program = new Command();
  program.name('agentcom').description('AgentCom: a durable work hub for fleets of AI coding agents').version(version);
  registerStartCommand(program);
  registerSubmitCommand(program);
  registerTaskCommands(program);
  registerAgentListCommands(program);
  registerOnboardingCommands(program);
  registerTokenCommands(program);
  registerOperatorCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
