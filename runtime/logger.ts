// Winston JSON lines on stdout: time, level, module, and task_id / agent_id where they apply.
// Levels are syslog's, so the reference's debug/info/notice/warning/error all exist.
import winston from 'winston';

export type Logger = winston.Logger;

/** Keys whose values never reach a log line, at any depth. */
const secretKeys = new Set(['token', 'authorization', 'admin_token', 'password', 'secret', 'api_key', 'cookie']);
/** Nesting beyond this is cut: a log line is not the place for a deep document. */
const maxRedactDepth = 8;

/** A copy with every secret key's value replaced, in nested objects and arrays too; the caller's objects are untouched. */
function redacted(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth > maxRedactDepth) return '[truncated]';
  if (value instanceof Error) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redacted(item, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = secretKeys.has(key.toLowerCase()) ? '[redacted]' : redacted(item, depth + 1, seen);
  }
  return copy;
}

const redactSecrets = winston.format((info) => {
  const seen = new WeakSet<object>();
  for (const key of Object.keys(info)) {
    if (secretKeys.has(key.toLowerCase())) info[key] = '[redacted]';
    else if (typeof info[key] === 'object' && info[key] !== null) info[key] = redacted(info[key], 1, seen);
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
