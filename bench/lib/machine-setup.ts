// The facts a reader needs to reproduce a figure: printed before every run and stored in the JSON.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { probeFsync } from './fsync-probe.ts';
import { fmt } from './table-format.ts';

export interface MachineSetup {
  node: string;
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  uws: 'native' | 'fallback' | 'missing';
  tmpFilesystem: string;
  /** 4 KiB write + fsync in os.tmpdir(), 200 times. */
  fsyncMs: { p50: number; p99: number };
  /** 1, 5 and 15-minute load averages when the run started: other work on the machine skews every figure. */
  loadAverage: number[];
  gitCommit: string;
  durability: string;
}

export function machineSetup(): MachineSetup {
  return {
    node: process.version,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    uws: uwsKind(),
    tmpFilesystem: tmpFilesystem(),
    fsyncMs: (({ p50, p99 }) => ({ p50, p99 }))(probeFsync()),
    loadAverage: loadavg(),
    gitCommit: gitCommit(),
    durability: 'AgentCom: every queue call awaits its LMDB flush (overlappingSync; one fsync covers each commit batch)',
  };
}

export function formatSetup(setup: MachineSetup): string {
  return [
    `node        ${setup.node}`,
    `cpu         ${setup.cpuModel} × ${setup.cpuCount}`,
    `memory      ${setup.memoryGiB} GiB`,
    `uWS         ${setup.uws}`,
    `tmp fs      ${setup.tmpFilesystem}`,
    `fsync 4KiB  p50 ${fmt(setup.fsyncMs.p50)} ms, p99 ${fmt(setup.fsyncMs.p99)} ms (200 writes)`,
    `load avg    ${formatLoad(setup.loadAverage)} (1/5/15 min) on ${setup.cpuCount} cores${busy(setup) ? '  ← the machine is busy: figures will be low and noisy' : ''}`,
    `git         ${setup.gitCommit}`,
    `durability  ${setup.durability}`,
  ].join('\n');
}

export const formatLoad = (load: number[]) => load.map((value) => value.toFixed(2)).join(' / ');

const busy = (setup: MachineSetup) => (setup.loadAverage[0] ?? 0) > setup.cpuCount / 2;

// The unofficial build falls back to a JS server when its binary does not load; only the native one has SSLApp.
function uwsKind(): MachineSetup['uws'] {
  try {
    const uws = createRequire(import.meta.url)('uWebSockets.js') as { SSLApp?: unknown };
    return typeof uws.SSLApp === 'function' ? 'native' : 'fallback';
  } catch {
    return 'missing';
  }
}

function tmpFilesystem(): string {
  try {
    const row = execFileSync('df', ['-PT', tmpdir()], { encoding: 'utf8' }).trim().split('\n')[1] ?? '';
    const [device, type] = row.split(/\s+/);
    return `${tmpdir()} on ${device} (${type})`;
  } catch {
    return tmpdir();
  }
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (uncommitted changes in the tree)` : commit;
  } catch {
    return 'unknown';
  }
}
