// Starting and stopping one agent's sidecar under pm2, or, without pm2, the exact
// command an operator runs instead. pm2 is always run through execFile: the agent
// id and paths are arguments, never parts of a shell string.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.ts';

const sidecarBinPath = path.join(packageRoot(), 'sidecar/bin/agentcom-sidecar.mjs');
const ecosystemPath = path.join(packageRoot(), 'sidecar/ecosystem.config.cjs');

export const pm2NameOf = (agentId: string): string => `agentcom-${agentId}`;

/** The pm2 executable on PATH, or null. */
export function findPm2(env: NodeJS.ProcessEnv = process.env): string | null {
  const names = process.platform === 'win32' ? ['pm2.cmd', 'pm2.exe', 'pm2'] : ['pm2'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not here; try the next folder.
      }
    }
  }
  return null;
}

export interface Pm2Outcome {
  ok: boolean;
  /** pm2's own words (stderr, else stdout), trimmed, for the operator. */
  output: string;
}

function runPm2(pm2: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Pm2Outcome> {
  return new Promise((resolve) => {
    execFile(pm2, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const output = (String(stderr).trim() || String(stdout).trim()).split('\n').slice(-5).join('\n');
      resolve({ ok: !error, output: error && !output ? error.message : output });
    });
  });
}

/** `pm2 start sidecar/ecosystem.config.cjs`, named and pointed at this agent's config through the env the file reads. */
export function startUnderPm2(pm2: string, agentId: string, configPath: string): Promise<Pm2Outcome> {
  return runPm2(pm2, ['start', ecosystemPath], {
    ...process.env,
    AGENTCOM_SIDECAR_NAME: pm2NameOf(agentId),
    AGENTCOM_SIDECAR_CONFIG: configPath,
  });
}

export function deleteFromPm2(pm2: string, agentId: string): Promise<Pm2Outcome> {
  return runPm2(pm2, ['delete', pm2NameOf(agentId)]);
}

/** Quotes a word for a POSIX shell, for commands printed for the operator to paste. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What to run by hand: the sidecar in the foreground, and the same under pm2. */
export function manualStartCommands(agentId: string, configPath: string): { foreground: string; pm2: string } {
  return {
    foreground: ['node', sidecarBinPath, '--config', configPath].map(shellQuote).join(' '),
    pm2: [
      `AGENTCOM_SIDECAR_NAME=${shellQuote(pm2NameOf(agentId))}`,
      `AGENTCOM_SIDECAR_CONFIG=${shellQuote(configPath)}`,
      'pm2', 'start', shellQuote(ecosystemPath),
    ].join(' '),
  };
}
