// bench/results/<scenario>-<timestamp>.json: one file per measured scenario (the folder is gitignored).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MachineSetup } from './machine-setup.ts';
import type { Metrics, ScenarioOutcome } from './scenario.ts';

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export interface ResultsFile {
  scenario: string;
  startedAt: string;
  setup: MachineSetup;
  argv: string[];
  /** 1/5/15-minute load averages when the scenario started and ended. */
  load: { atStart: number[]; atEnd: number[] };
  outcome: ScenarioOutcome;
}

export function writeResultsFile(file: ResultsFile): string {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = file.startedAt.replace(/[:.]/g, '-');
  const path = `${resultsDir}${file.scenario}-${stamp}.json`;
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n');
  return path;
}

/** Metrics of the newest measured results file of `scenario`, with where they came from; null when there is none. */
export function latestMetrics(scenario: string): { metrics: Metrics; path: string } | null {
  let names: string[];
  try {
    names = readdirSync(resultsDir).filter((name) => name.startsWith(`${scenario}-`) && name.endsWith('.json')).sort();
  } catch {
    return null;
  }
  for (const name of names.reverse()) {
    const file = JSON.parse(readFileSync(resultsDir + name, 'utf8')) as ResultsFile;
    if (file.outcome.status === 'measured') return { metrics: file.outcome.metrics, path: `bench/results/${name}` };
  }
  return null;
}
