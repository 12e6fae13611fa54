// Winston JSON lines for the sidecar, written once: to stdout under a process manager (pm2 or
// systemd keep and rotate what a service prints), else to a size-capped, rotated log file.
// Writing both made pm2's out-log grow without bound beside the rotated file. The token is scrubbed.
import winston from 'winston';

export type SidecarLogger = winston.Logger;

const logFileMaxBytes = 10 * 1024 * 1024;
const logFileCount = 5;
const redacted = '[redacted]';

export type LogOutput = 'auto' | 'stdout' | 'file';

export interface SidecarLoggerOptions {
  agentId: string;
  token: string;
  logFile?: string;
  /** `auto`: stdout under a process manager, else the file (stdout when there is no file). */
  output?: LogOutput;
  level?: string;
  env?: NodeJS.ProcessEnv;
}

/** pm2 gives its children `pm_id`; systemd gives services `INVOCATION_ID`. */
export function underProcessManager(env: NodeJS.ProcessEnv): boolean {
  return env.pm_id !== undefined || env.INVOCATION_ID !== undefined;
}

/** Where the lines go: exactly one of stdout or the file. */
export function logDestination(options: Pick<SidecarLoggerOptions, 'logFile' | 'output' | 'env'>): 'stdout' | 'file' {
  const output = options.output ?? 'auto';
  if (!options.logFile || output === 'stdout') return 'stdout';
  if (output === 'file') return 'file';
  return underProcessManager(options.env ?? process.env) ? 'stdout' : 'file';
}

export function createSidecarLogger(options: SidecarLoggerOptions): SidecarLogger {
  const transports: winston.transport[] = logDestination(options) === 'stdout'
    ? [new winston.transports.Console()]
    : [new winston.transports.File({ filename: options.logFile!, maxsize: logFileMaxBytes, maxFiles: logFileCount, tailable: true })];
  return winston.createLogger({
    level: options.level ?? process.env.AGENTCOM_LOG_LEVEL ?? 'info',
    defaultMeta: { module: 'sidecar', agent_id: options.agentId },
    format: winston.format.combine(stampTime(), scrubToken(options.token)(), winston.format.json()),
    transports,
  });
}

const stampTime = winston.format((info) => {
  info.time = new Date().toISOString();
  return info;
});

/** Removes any `token` field and any copy of the token inside string fields, however it got there. */
function scrubToken(token: string) {
  return winston.format((info) => {
    for (const key of Object.keys(info)) {
      if (key === 'token') {
        info[key] = redacted;
        continue;
      }
      const value = info[key];
      if (typeof value === 'string' && token.length > 0 && value.includes(token)) {
        info[key] = value.split(token).join(redacted);
      }
    }
    return info;
  });
}

/** A logger that drops everything; for library callers and tests that do not care. */
export function silentLogger(): SidecarLogger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
