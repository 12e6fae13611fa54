// The `agentcom` command line. Each subcommand group lives in runtime/commands/.
import { Command } from 'commander';
import { registerAgentCommands } from './commands/agent.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerSubmitCommand } from './commands/submit.ts';
import { version } from './version.ts';

export function buildProgram(): Command {
  const program = new Command();
  program.name('agentcom').description('AgentCom: a durable work hub for fleets of AI coding agents').version(version);
  registerStartCommand(program);
  registerAgentCommands(program);
  registerSubmitCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
