// When a schedule fires: its cron times after the last firing it handled, and which of
// them `catch_up` submits. Pure; the clock is an argument, so tests run it on simulated time.
import { CronExpressionParser } from 'cron-parser';

export type CatchUp = 'none' | 'last' | 'all';

/** A firing this late is on time (the timer woke late, the hub was busy), not missed. */
export const onTimeGraceMs = 60_000;
/** At most this many missed firings are submitted at once under `all`. */
export const maxCatchUpFirings = 1_000;

export function checkCron(cron: string, timezone: string): string | null {
  try {
    CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(0) }).next();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export function nextFiring(cron: string, timezone: string, after: number): number {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(after) }).next().getTime();
}

/**
 * The firings due at `now` after `lastFiredAt`: `fire` lists those to submit, `handledUpTo`
 * is the new last_fired_at (every due time counts as handled, submitted or skipped).
 */
export function dueFirings(cron: string, timezone: string, catchUp: CatchUp, lastFiredAt: number, now: number): { fire: number[]; handledUpTo: number } {
  const due: number[] = [];
  const interval = CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(lastFiredAt) });
  for (let at = interval.next().getTime(); at <= now; at = interval.next().getTime()) {
    due.push(at);
    if (due.length > maxCatchUpFirings) due.shift();
  }
  if (due.length === 0) return { fire: [], handledUpTo: lastFiredAt };
  const handledUpTo = due[due.length - 1]!;
  const onTime = due.filter((at) => now - at <= onTimeGraceMs);
  const missed = due.filter((at) => now - at > onTimeGraceMs);
  const caughtUp = catchUp === 'all' ? missed : catchUp === 'last' && onTime.length === 0 ? missed.slice(-1) : [];
  return { fire: [...caughtUp, ...onTime], handledUpTo };
}
