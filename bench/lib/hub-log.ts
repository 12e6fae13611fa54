// Figures the hub writes in its own JSON log lines (log level info), read after a stage.
import { readFileSync, statSync } from 'node:fs';

export const logSize = (path: string): number => statSync(path).size;

/**
 * `latency_ms` of every 'task assigned' line written after byte `offset`: the hub's own
 * time from the task entering its lane to the durable assignment (history timestamps, ms).
 */
export function assignDecisionLatencies(path: string, offset: number): number[] {
  const text = readFileSync(path).subarray(offset).toString('utf8');
  const latencies: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"task assigned"')) continue;
    try {
      const entry = JSON.parse(line) as { latency_ms?: number | null };
      if (typeof entry.latency_ms === 'number') latencies.push(entry.latency_ms);
    } catch {
      // A line cut by the read is the only way to get here; skip it.
    }
  }
  return latencies;
}
