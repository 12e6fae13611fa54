// Runs the agent's wake command without a shell, with retries.
//
// The template is split into argv first and placeholders are substituted per
// argument afterwards, so a description is always exactly one argv element and
// its quotes, `$(…)` or `;` are plain characters that nothing interprets.
import { spawn } from 'node:child_process';
import { fail, failField, ok, type Result } from '../storage/domain/errors.ts';
import { fieldLimits } from '../web/protocol/field-limits.ts';

export interface WakeTask {
  task_id: string;
  description: string;
  metadata: Record<string, unknown>;
  generation: number;
  assigned_at: number;
  /** Completed predecessors with their results (task_assign's `dependencies`). */
  dependencies?: unknown[];
  /** The path globs the assignment leases (task_assign's `paths`), for agentcom-git commit. */
  paths?: string[];
}

export interface WakeInvocation {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** Working folder; relative paths in the template resolve against it. */
  cwd?: string;
}

/** Splits a command template like a POSIX shell would split words, without expanding anything. */
export function splitCommandTemplate(template: string): Result<string[]> {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (template[i + 1] === '"' || template[i + 1] === '\\')) word += template[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < template.length) {
      word += template[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return fail('AC_ERR_SIDECAR_BAD_TEMPLATE', `unclosed ${quote} quote`);
  if (inWord) words.push(word);
  if (words.length === 0) return fail('AC_ERR_SIDECAR_BAD_TEMPLATE', 'empty command');
  return ok(words);
}

const placeholder = /\$\{(TASK_ID|TASK_JSON|TASK_DESCRIPTION)\}/g;

/** Builds argv and env for one task. One regex pass, so substituted text is never re-scanned. */
export function buildWakeInvocation(
  wakeCommand: string | string[],
  task: WakeTask,
  extraEnv: Record<string, string> = {},
): Result<WakeInvocation> {
  const template = typeof wakeCommand === 'string' ? splitCommandTemplate(wakeCommand) : ok(wakeCommand);
  if (!template.ok) return template;
  const values: Record<string, string> = {
    TASK_ID: task.task_id,
    TASK_JSON: JSON.stringify(task),
    TASK_DESCRIPTION: task.description,
  };
  const argv = template.value.map((arg) => arg.replace(placeholder, (_match, name: string) => values[name]));
  const [file, ...args] = argv;
  if (!file) return fail('AC_ERR_SIDECAR_BAD_TEMPLATE', 'empty command');
  return ok({
    file,
    args,
    env: {
      ...extraEnv,
      AGENTCOM_TASK_ID: values.TASK_ID,
      AGENTCOM_TASK_JSON: values.TASK_JSON,
      AGENTCOM_TASK_DESCRIPTION: values.TASK_DESCRIPTION,
    },
  });
}

export type WakeRunOutcome = { exitCode: number | null; signal: string | null; timedOut: boolean; stderr: string; spawnError?: string };

const stderrKeepChars = 4_000;

/**
 * Runs one attempt. Resolves on the child's exit, not on stdio close: a wake
 * command that starts the agent in the background leaves that agent holding
 * the pipes. The child leads its own process group so a timeout kills all of it.
 */
export function runWakeOnce(invocation: WakeInvocation, timeoutMs: number, onSpawn?: (pgid: number) => void): Promise<WakeRunOutcome> {
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(invocation.file, invocation.args, {
      shell: false,
      detached: true,
      cwd: invocation.cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...invocation.env },
    });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    const finish = (outcome: Omit<WakeRunOutcome, 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stderr?.destroy();
      resolve({ ...outcome, timedOut, stderr });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-stderrKeepChars);
    });
    child.on('error', (error) => finish({ exitCode: null, signal: null, spawnError: error.message }));
    child.on('exit', (exitCode, signal) => finish({ exitCode, signal }));
  });
}

/**
 * Stops a wake command's process group (the command and whatever it left running in the
 * background): SIGTERM, then SIGKILL for what is still there after `graceMs`. Resolves once
 * the group is gone.
 */
export async function stopProcessGroup(pgid: number, graceMs = 2_000): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 20 && signalGroup(pgid, 0); i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** False once no process of the group is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export interface WakeRetryOptions {
  timeoutMs: number;
  /** Pauses before each retry; the number of retries is its length. */
  retryDelaysMs: number[];
  /** Checked before each attempt: false stops retrying (the task ended meanwhile). */
  shouldContinue?: () => boolean;
  onAttempt?: (attempt: number, outcome: WakeRunOutcome | null) => void;
  /** Each attempt's process group id, as soon as it is spawned (a cancel stops that group). */
  onSpawn?: (pgid: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export type WakeResult = { attempts: number; stopped: boolean };

/** Runs the wake command until it exits 0, retrying after each pause in `retryDelaysMs`. */
export async function runWakeWithRetries(invocation: WakeInvocation, options: WakeRetryOptions): Promise<Result<WakeResult>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastDetail = '';
  const attempts = options.retryDelaysMs.length + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(options.retryDelaysMs[attempt - 2]);
    if (options.shouldContinue && !options.shouldContinue()) return ok({ attempts: attempt - 1, stopped: true });
    const outcome = await runWakeOnce(invocation, options.timeoutMs, options.onSpawn);
    options.onAttempt?.(attempt, outcome);
    if (outcome.exitCode === 0 && !outcome.timedOut) return ok({ attempts: attempt, stopped: false });
    lastDetail = describeFailure(outcome, options.timeoutMs);
  }
  // The bare cause, not the catalogue sentence: it goes into the wire reason as is.
  return failField('AC_ERR_WAKE_FAILED', 'wake_command', lastDetail);
}

/** The wire reason for a wake that never succeeded; the name is kept from the original sidecar. */
export function wakeFailedReason(retries: number, detail: string): string {
  return `wake_failed_after_${retries}_attempts: ${detail}`.slice(0, fieldLimits.reason);
}

function describeFailure(outcome: WakeRunOutcome, timeoutMs: number): string {
  const tail = outcome.stderr.trim().slice(-500);
  const cause = outcome.spawnError
    ? outcome.spawnError
    : outcome.timedOut
      ? `timed out after ${timeoutMs} ms`
      : outcome.signal
        ? `killed by ${outcome.signal}`
        : `exit code ${outcome.exitCode}`;
  return tail ? `${cause}; stderr: ${tail}` : cause;
}
