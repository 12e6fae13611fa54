// Delay before the next reconnect attempt: 1 s, 2 s, 4 s … capped at 60 s, with jitter.

const backoffBaseMs = 1_000;
export const backoffCapMs = 60_000;
/** A connection that stayed up this long counts as healthy: the next failure starts again at 1 s. */
export const backoffResetAfterMs = 30_000;
const jitterFraction = 0.2;

/**
 * `failedAttempts` is how many connects failed in a row (0 for the first retry).
 * `random` returns [0, 1); jitter spreads a fleet of sidecars by ±20% so they do
 * not all reconnect in the same instant after a hub restart.
 */
export function reconnectBackoff(failedAttempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(failedAttempts)), 16);
  const nominalMs = Math.min(backoffCapMs, backoffBaseMs * 2 ** exponent);
  const factor = 1 - jitterFraction + 2 * jitterFraction * random();
  return Math.min(backoffCapMs, Math.round(nominalMs * factor));
}
