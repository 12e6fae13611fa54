// What a benchmark scenario is, and what it hands back to the harness.
import type { Progress } from './progress.ts';

export interface ResultTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Leading columns that hold text and align left (default 1); the rest are figures and align right. */
  textColumns?: number;
}

/** Figures a later scenario (or a later run, through the JSON file) can compare against, keyed like `submit.c512.opsPerSec`. */
export type Metrics = Record<string, number>;

export type ScenarioOutcome =
  | { status: 'measured'; tables: ResultTable[]; metrics: Metrics; notes: string[] }
  | { status: 'skipped'; reason: string };

export interface BenchContext {
  /** Smaller sizes and shorter stages, for checking the harness rather than quoting figures. */
  quick: boolean;
  /** Run the hub with --cpu-prof and print where its time went (scenarios that start a hub). */
  profile: boolean;
  /** --tls: scenarios that support it also run the hub over https and wss (lifecycle). */
  tls?: boolean;
  /** --large: scenarios that support it also run their largest size (stalls: a 1M-task store, about 15 min more). */
  large?: boolean;
  /** --leases-only: the scheduler scenario runs only its path-lease stages (the drains with and without leases). */
  leasesOnly?: boolean;
  /** --fleet-sizes-only: the scheduler scenario runs only its 100- against 1,000-agent drains. */
  fleetSizesOnly?: boolean;
  /** --without-globs: the scheduler's lease stages run C and E only (no folder globs, D). */
  withoutGlobs?: boolean;
  /** --rounds=N: scenarios that repeat their runs in rounds do N of them. */
  rounds?: number;
  progress: Progress;
  /** Metrics of scenarios already measured in this run, by scenario name. */
  earlier: ReadonlyMap<string, Metrics>;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<ScenarioOutcome>;
}

export const skipped = (reason: string): ScenarioOutcome => ({ status: 'skipped', reason });
