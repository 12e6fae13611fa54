// Durations in config: "7d", "12h", "30m", "45s", "500ms", or a bare number of milliseconds.
// 0 means "never" where a key says so.

export const durationPattern = '^\\d+(ms|s|m|h|d)?$';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration the config schema has already checked against `durationPattern` (or an integer). */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const [, amount, unit] = /^(\d+)(ms|s|m|h|d)?$/.exec(value) ?? [];
  if (amount === undefined) throw new Error(`not a duration: ${value}`);
  return Number(amount) * unitMs[unit ?? 'ms']!;
}
