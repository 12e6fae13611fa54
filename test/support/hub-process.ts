// `agentcom start` as a real child process, for tests of what an operator sees:
// the banner, the one refusal line on stderr, the exit code, kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../../runtime/bin/agentcom.mjs', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the banner is printed, with the hub's URL and the admin token it shows; rejects if the process exits first. */
  ready(timeoutMs?: number): Promise<{ url: string; adminToken: string | null }>;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnHub(args: string[], env: Record<string, string> = {}): HubProcess {
  const child = spawn(process.execPath, [cli, 'start', '--host', '127.0.0.1', ...args], {
    cwd: repoRoot,
    env: { ...process.env, AGENTCOM_ADMIN_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    ready: (timeoutMs = 30_000) => new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      let gone = false;
      void exit.then(({ code, signal }) => {
        gone = true;
        reject(new Error(`hub exited (code ${code}, signal ${signal}) before it was ready: ${err}${out.slice(-2000)}`));
      });
      const poll = () => {
        if (gone) return;
        const url = /API\s+(http:\/\/\S+)\/api/.exec(err)?.[1];
        if (url) return resolve({ url, adminToken: /#token=(\S+)/.exec(err)?.[1] ?? null });
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          return reject(new Error(`hub not ready within ${timeoutMs} ms: ${err}`));
        }
        setTimeout(poll, 25);
      };
      poll();
    }),
  };
}

/** The refusal lines a failed start printed on stderr (its JSON log lines are on stdout). */
export function refusalLines(hub: HubProcess): string[] {
  return hub.stderr().split('\n').filter((line) => line.trim() !== '');
}
