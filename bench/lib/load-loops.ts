// Closed and open load loops that record one latency sample per operation.
import { performance } from 'node:perf_hooks';
import { ratePerSec, SampleRecorder, type LatencySummary } from './sample-stats.ts';

export interface LoopResult {
  ops: number;
  elapsedMs: number;
  opsPerSec: number;
  latencyMs: LatencySummary;
  /** True when some caller stopped early because `op` returned false (e.g. the queue ran dry). */
  ranDry: boolean;
}

/**
 * `concurrency` callers each run `op` (given the caller's index) back to back until `durationMs` passes.
 * `op` returns false when there is nothing left to do; that caller then stops.
 */
export async function closedLoop(concurrency: number, durationMs: number, op: (caller: number) => Promise<boolean>): Promise<LoopResult> {
  const samples = new SampleRecorder();
  let ranDry = false;
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  let lastEndAt = startedAt;
  const caller = async (_: unknown, index: number) => {
    while (performance.now() < deadline) {
      const opStartedAt = performance.now();
      const more = await op(index);
      lastEndAt = performance.now();
      if (!more) { ranDry = true; return; }
      samples.record(lastEndAt - opStartedAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsedMs = lastEndAt - startedAt;
  return { ops: samples.count, elapsedMs, opsPerSec: ratePerSec(samples.count, elapsedMs), latencyMs: samples.summary(), ranDry };
}

/**
 * Starts `count` calls of `op` at a fixed rate whatever the earlier ones are doing (open loop),
 * so queueing delay shows in the latency instead of slowing the load (no coordinated omission).
 * `op` reports its own latency through the recorder it closes over; this waits for all to finish.
 */
export async function openLoop(ratePerSecond: number, count: number, op: (index: number) => Promise<void>): Promise<{ elapsedMs: number }> {
  const intervalMs = 1000 / ratePerSecond;
  const startedAt = performance.now();
  const pending: Promise<void>[] = [];
  let started = 0;
  while (started < count) {
    // Catch up in a burst after a late timer rather than silently lowering the rate.
    const due = Math.min(count, Math.floor((performance.now() - startedAt) / intervalMs) + 1);
    while (started < due) pending.push(op(started++));
    if (started < count) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + started * intervalMs - performance.now())));
    }
  }
  await Promise.all(pending);
  return { elapsedMs: performance.now() - startedAt };
}
