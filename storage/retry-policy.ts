// The pause before a retry. Whether a failure is retried at all is decided in
// failure-outcome.ts (`max_retries` counts retries after the first attempt).
//
// The pause before retry n (1-based) is `retry_backoff_ms * 2^(n-1)`, capped at
// `retry_backoff_max_ms`, with "equal jitter": half fixed, half random, so a burst of
// failures does not come back as one burst.

/** The pause before retry `retryNumber` (1 = the first retry). */
export function retryBackoffMs(retryNumber: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  if (baseMs <= 0) return 0;
  const exponential = Math.min(capMs > 0 ? capMs : Infinity, baseMs * 2 ** Math.min(retryNumber - 1, 40));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
