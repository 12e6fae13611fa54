// Winston JSON lines for the sidecar: stdout plus a size-capped log file. The token is scrubbed.
import winston from 'winston';

export type SidecarLogger = winston.Logger;

const logFileMaxBytes = 10 * 1024 * 1024;
const logFileCount = 5;
const redacted = '[redacted]';

export interface SidecarLoggerOptions {
  agentId: string;
  token: string;
  logFile?: string;
  level?: string;
}

export function createSidecarLogger(options: SidecarLoggerOptions): SidecarLogger {
  const transports: winston.transport[] = [new winston.transports.Console()];
  if (options.logFile) {
    transports.push(
      new winston.transports.File({ filename: options.logFile, maxsize: logFileMaxBytes, maxFiles: logFileCount, tailable: true }),
    );
  }
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
