// Percentiles from every recorded sample (no histogram buckets, no sampling):
// the runs here record at most a few million samples, which sort in well under a second.

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** A growable buffer of float samples (milliseconds by convention). */
export class SampleRecorder {
  private buffer = new Float64Array(1024);
  private length = 0;

  record(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Float64Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  get count(): number {
    return this.length;
  }

  summary(): LatencySummary {
    return summarize(this.buffer.subarray(0, this.length));
  }
}

export function summarize(samples: Float64Array | number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const count = sorted.length;
  if (count === 0) return { count, p50: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted[count - 1],
    mean: sum / count,
  };
}

/** Nearest-rank percentile of an ascending array: the smallest sample with at least `q` of the samples at or below it. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export const ratePerSec = (count: number, elapsedMs: number): number => (elapsedMs > 0 ? (count * 1000) / elapsedMs : NaN);
