// Runs git (or gh) with an argv array, never through a shell, and returns a Result.
import { execFile } from 'node:child_process';
import { fail, ok, type Result } from '../../storage/domain/errors.ts';

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

const commandTimeoutMs = 120_000;
const maxOutputBytes = 16 * 1024 * 1024;

export function runCommand(file: string, args: string[], cwd: string): Promise<Result<CommandOutput>> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd,
        timeout: commandTimeoutMs,
        maxBuffer: maxOutputBytes,
        // Never stop for a password or an editor: the sidecar has no one to answer.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GH_PROMPT_DISABLED: '1' },
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = String(stderr).trim() || error.message;
          resolve(fail('AC_ERR_GIT', `${file} ${args[0] ?? ''} failed: ${detail.slice(-1000)}`));
          return;
        }
        resolve(ok({ stdout: String(stdout), stderr: String(stderr) }));
      },
    );
  });
}

export function git(repoDir: string, ...args: string[]): Promise<Result<CommandOutput>> {
  return runCommand('git', args, repoDir);
}

/** `git <args>` trimmed stdout, for the many one-value queries. */
export async function gitValue(repoDir: string, ...args: string[]): Promise<Result<string>> {
  const result = await git(repoDir, ...args);
  return result.ok ? ok(result.value.stdout.trim()) : result;
}
