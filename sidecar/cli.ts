// agentcom-sidecar: run the sidecar, or `report` a task's state, `ask` a person or `lease` more paths from the agent's side.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadSidecarConfig } from './sidecar-config.ts';
import { startSidecar } from './sidecar-process.ts';
import { writeReport, type ReportKind } from './result-files.ts';
import { askQuestion } from './ask-question.ts';
import { requestLease, type LeaseCommand } from './request-lease.ts';

const reportKinds: readonly ReportKind[] = ['started', 'progress', 'success', 'failed'];
const taskIdPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

function defaultConfigPath(): string {
  return process.env.AGENTCOM_SIDECAR_CONFIG ?? './config.json';
}

function exitWith(line: string, code: number): never {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

async function run(options: { config: string }): Promise<void> {
  const config = loadSidecarConfig(path.resolve(options.config));
  // One line naming the key, so a pm2 log shows the fix at a glance.
  if (!config.ok) exitWith(config.detail.startsWith('config:') ? config.detail : `config: ${config.detail}`, 1);
  const started = await startSidecar(config.value);
  if (!started.ok) exitWith(`sidecar: ${started.detail}`, 1);
  const sidecar = started.value;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sidecar.log.info('stopping', { signal });
    void sidecar.stop().then(() => {
      // Let winston flush its file transport before leaving.
      setTimeout(() => process.exit(0), 100);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function resultsDirOf(options: { config: string; resultsDir?: string }): string {
  const given = options.resultsDir ?? process.env.AGENTCOM_RESULTS_DIR;
  if (given) return given;
  const config = loadSidecarConfig(path.resolve(options.config));
  if (!config.ok) exitWith(config.detail.startsWith('config:') ? config.detail : `config: ${config.detail}`, 1);
  return config.value.results_dir;
}

async function report(
  taskId: string,
  kind: ReportKind,
  options: { config: string; output?: string; reason?: string; resultsDir?: string },
): Promise<void> {
  if (!taskIdPattern.test(taskId)) exitWith(`report: ${JSON.stringify(taskId)} is not a task id`, 1);
  const resultsDir = resultsDirOf(options);
  let filePath: string;
  try {
    filePath = await writeReport(path.resolve(resultsDir), taskId, kind, { output: options.output, reason: options.reason });
  } catch (error) {
    exitWith(`report: cannot write to ${resultsDir}: ${(error as Error).message}`, 1);
  }
  process.stdout.write(`${JSON.stringify({ status: 'ok', task_id: taskId, report: kind, file: filePath })}\n`);
}

function parseKind(value: string): ReportKind {
  if (!(reportKinds as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${reportKinds.join(', ')}`);
  }
  return value as ReportKind;
}

const program = new Command('agentcom-sidecar')
  .description('AgentCom agent-side sidecar')
  .enablePositionalOptions()
  .option('--config <file>', 'sidecar config file', defaultConfigPath())
  .action(run);

program
  .command('report')
  .description('record a task state for the sidecar to pick up')
  .argument('<task_id>', 'the task id')
  .argument('<state>', reportKinds.join('|'), parseKind)
  .option('--output <text>', 'what the agent produced or is doing')
  .option('--reason <text>', 'why the task failed')
  .option('--results-dir <dir>', 'results folder (default: from the config or $AGENTCOM_RESULTS_DIR)')
  .option('--config <file>', 'sidecar config file', defaultConfigPath())
  .action(report);

program
  .command('ask')
  .description('ask a person a question mid-task and wait for the answer (prints the answer file as one JSON line)')
  .argument('<task_id>', 'the task id')
  .argument('<question>', 'the question')
  .option('--option <text>', 'an answer to offer; repeat for several', (value: string, previous: string[]) => [...previous, value], [])
  .option('--timeout-ms <ms>', 'give up after this long (exit 3); default: wait as long as it takes')
  .option('--results-dir <dir>', 'results folder (default: from the config or $AGENTCOM_RESULTS_DIR)')
  .option('--config <file>', 'sidecar config file', defaultConfigPath())
  .action(async (taskId: string, question: string, options: { option: string[]; timeoutMs?: string; config: string; resultsDir?: string }) => {
    if (!taskIdPattern.test(taskId)) exitWith(`ask: ${JSON.stringify(taskId)} is not a task id`, 1);
    const timeoutMs = options.timeoutMs === undefined ? null : Number(options.timeoutMs);
    if (timeoutMs !== null && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) exitWith('ask: --timeout-ms must be a positive whole number', 1);
    const answered = await askQuestion(path.resolve(resultsDirOf(options)), taskId, { question, options: options.option }, timeoutMs);
    if (answered.kind === 'timeout') exitWith(`ask: no answer within ${timeoutMs} ms (the question stays asked)`, 3);
    process.stdout.write(`${JSON.stringify(answered.answer)}\n`);
    if ('error' in answered.answer) process.exit(2);
  });

program
  .command('lease')
  .description('lease more paths for the task, or release a lease, and wait for the hub\'s answer (prints the lease result as one JSON line)')
  .argument('<task_id>', 'the task id')
  .argument('<action>', 'acquire|release')
  .argument('<targets...>', 'acquire: the globs to lease; release: the lease id')
  .option('--repo <repo>', 'acquire: another repository than the task\'s own')
  .option('--timeout-ms <ms>', 'give up after this long (exit 3); default: wait as long as it takes')
  .option('--results-dir <dir>', 'results folder (default: from the config or $AGENTCOM_RESULTS_DIR)')
  .option('--config <file>', 'sidecar config file', defaultConfigPath())
  .action(async (taskId: string, action: string, targets: string[], options: { repo?: string; timeoutMs?: string; config: string; resultsDir?: string }) => {
    if (!taskIdPattern.test(taskId)) exitWith(`lease: ${JSON.stringify(taskId)} is not a task id`, 1);
    if (action !== 'acquire' && action !== 'release') exitWith('lease: action must be acquire or release', 1);
    if (action === 'release' && targets.length !== 1) exitWith('lease: release takes one lease id', 1);
    const timeoutMs = options.timeoutMs === undefined ? null : Number(options.timeoutMs);
    if (timeoutMs !== null && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) exitWith('lease: --timeout-ms must be a positive whole number', 1);
    const command: LeaseCommand = action === 'acquire'
      ? { action, paths: targets, ...(options.repo !== undefined ? { repo: options.repo } : {}) }
      : { action, leaseId: targets[0]! };
    const outcome = await requestLease(path.resolve(resultsDirOf(options)), taskId, command, timeoutMs);
    if (outcome.kind === 'timeout') exitWith(`lease: no answer within ${timeoutMs} ms (waiting for the ${outcome.waitingFor})`, 3);
    process.stdout.write(`${JSON.stringify(outcome.answer)}\n`);
    // Granted or released: 0; denied, or an error (the hub's or the request's): 2.
    if (outcome.answer.result !== 'granted' && outcome.answer.result !== 'released') process.exit(2);
  });

await program.parseAsync(process.argv);
