// Winston JSON lines on stdout: time, level, module, and task_id / agent_id where they apply.
// Levels are syslog's, so the reference's debug/info/notice/warning/error all exist.
import winston from 'winston';

export type Logger = winston.Logger;

/** Keys whose values never reach a log line, at any depth. */
const secretKeys = new Set(['token', 'authorization', 'admin_token', 'password', 'secret']);

const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (secretKeys.has(key.toLowerCase())) info[key] = '[redacted]';
  }
  return info;
});

export function createLogger(level: string, stream: NodeJS.WritableStream = process.stdout): Logger {
  return winston.createLogger({
    levels: winston.config.syslog.levels,
    level,
    format: winston.format.combine(
      redactSecrets(),
      // A default module for lines from the root logger; child loggers set their own.
      winston.format((info) => {
        info.module ??= 'hub';
        return info;
      })(),
      winston.format.timestamp({ alias: 'time' }),
      winston.format((info) => {
        // `time` first-class, `timestamp` not duplicated.
        delete info.timestamp;
        return info;
      })(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
}
