// The charts' time axis. A leaf, so a unit test can load it without uPlot or a DOM.

/**
 * The x range in seconds: the data's own span, or the hour before `nowMs` when there is none
 * (no samples, or one). Left to itself uPlot spreads an empty axis over years ("Mar 2027 … Jun 2029").
 */
export function xRange(min: number | null, max: number | null, nowMs: number): [number, number] {
  if (min !== null && max !== null && Number.isFinite(min) && Number.isFinite(max) && max > min) return [min, max];
  const now = Math.round(nowMs / 1000);
  return [now - 3600, now];
}
