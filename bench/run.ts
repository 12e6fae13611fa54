// npm run bench [-- <scenario>...] [--json] [--quick] [--profile] [--tls] [--large] [--leases-only] [--fleet-sizes-only] [--without-globs] [--rounds=N] [--list]
//
// Prints the machine setup, runs the chosen scenarios (all by default) with progress
// on stderr, and prints their tables on stdout. --json also writes each scenario's
// outcome to bench/results/<scenario>-<timestamp>.json.
import { loadavg } from 'node:os';
import { formatLoad, formatSetup, machineSetup } from './lib/machine-setup.ts';
import { Progress } from './lib/progress.ts';
import { writeResultsFile } from './lib/results-file.ts';
import type { Metrics, ScenarioOutcome } from './lib/scenario.ts';
import { formatTable } from './lib/table-format.ts';
import { scenarios } from './scenarios/index.ts';

const args = process.argv.slice(2);
const roundsFlag = /^--rounds=([1-9][0-9]?)$/;
const rounds = args.map((arg) => roundsFlag.exec(arg)?.[1]).find((n) => n !== undefined);
const flags = new Set(args.filter((arg) => arg.startsWith('--') && !roundsFlag.test(arg)));
const names = args.filter((arg) => !arg.startsWith('--'));

const known = new Set(['--json', '--quick', '--profile', '--list', '--tls', '--large', '--leases-only', '--fleet-sizes-only', '--without-globs']);
const unknownFlags = [...flags].filter((flag) => !known.has(flag));
const unknownNames = names.filter((name) => !scenarios.some((s) => s.name === name));
if (flags.has('--list') || unknownFlags.length > 0 || unknownNames.length > 0) {
  if (unknownFlags.length > 0 || unknownNames.length > 0) console.error(`unknown: ${[...unknownFlags, ...unknownNames].join(', ')}\n`);
  console.log('usage: npm run bench [-- <scenario>...] [--json] [--quick] [--profile] [--tls] [--large] [--leases-only] [--fleet-sizes-only] [--without-globs] [--rounds=N] [--list]\n');
  for (const s of scenarios) console.log(`  ${s.name.padEnd(12)} ${s.description}`);
  process.exit(flags.has('--list') && unknownFlags.length === 0 && unknownNames.length === 0 ? 0 : 2);
}

const selected = names.length > 0 ? scenarios.filter((s) => names.includes(s.name)) : scenarios;
const quick = flags.has('--quick');
const setup = machineSetup();
console.log(formatSetup(setup));
console.log(`mode        ${quick ? 'quick (smaller sizes: for checking the harness, not for quoting)' : 'full'}`);
console.log(`command     npm run bench${args.length > 0 ? ' -- ' + args.join(' ') : ''}\n`);

const earlier = new Map<string, Metrics>();
const summary: Array<[string, string]> = [];
let failed = false;

for (const scenario of selected) {
  const progress = new Progress(scenario.name);
  const startedAt = new Date();
  const loadAtStart = loadavg();
  progress.stage('start');
  let outcome: ScenarioOutcome;
  try {
    outcome = await scenario.run({ quick, profile: flags.has('--profile'), tls: flags.has('--tls'), large: flags.has('--large'), leasesOnly: flags.has('--leases-only'), fleetSizesOnly: flags.has('--fleet-sizes-only'),
      withoutGlobs: flags.has('--without-globs'), rounds: rounds === undefined ? undefined : Number(rounds), progress, earlier,
    });
  } catch (error) {
    failed = true;
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`${scenario.name} failed:\n${text}`);
    summary.push([scenario.name, `failed: ${error instanceof Error ? error.message.split('\n')[0] : text}`]);
    continue;
  }
  const seconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(1);
  progress.stage(outcome.status === 'measured' ? `done in ${seconds} s` : 'skipped');
  if (outcome.status === 'skipped') {
    console.log(`## ${scenario.name}: skipped: ${outcome.reason}\n`);
    summary.push([scenario.name, `skipped: ${outcome.reason}`]);
  } else {
    earlier.set(scenario.name, outcome.metrics);
    console.log(`## ${scenario.name}: ${scenario.description}\n`);
    for (const table of outcome.tables) console.log(formatTable(table) + '\n');
    for (const note of outcome.notes) console.log(`- ${note}`);
    console.log(`- Load average (1/5/15 min) at start ${formatLoad(loadAtStart)}, at end ${formatLoad(loadavg())}, on ${setup.cpuCount} cores.`);
    console.log('');
    summary.push([scenario.name, `measured in ${seconds} s`]);
  }
  if (flags.has('--json')) {
    const path = writeResultsFile({
      scenario: scenario.name, startedAt: startedAt.toISOString(), setup, argv: args, load: { atStart: loadAtStart, atEnd: loadavg() }, outcome,
    });
    console.log(`(written to ${path})\n`);
  }
}

console.log(formatTable({ title: 'Scenarios', columns: ['scenario', 'outcome'], rows: summary, textColumns: 2 }));
process.exit(failed ? 1 : 0);
