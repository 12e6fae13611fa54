// Another process's memory and CPU as the kernel counts them, read from /proc, so the
// figures cover the hub's whole process (lmdb's writer thread and uWS included) and
// cost the hub nothing to report.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux almost everywhere). */
const ticksPerSec = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Resident set size in MiB (VmRSS), or NaN when the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU time the process has used so far, in ms (all its threads), or NaN when it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / ticksPerSec;
  } catch {
    return NaN;
  }
}

/** CPU used by `pid` between two calls, as a share of one core (1.0 = one core busy all the time). */
export class CpuMeter {
  private startCpuMs: number;
  private startAt: number;

  constructor(private readonly pid: number) {
    this.startCpuMs = cpuMs(pid);
    this.startAt = performance.now();
  }

  /** CPU ms and wall ms since construction or the last `reset`. */
  read(): { cpuMs: number; wallMs: number; cores: number } {
    const used = cpuMs(this.pid) - this.startCpuMs;
    const wallMs = performance.now() - this.startAt;
    return { cpuMs: used, wallMs, cores: wallMs > 0 ? used / wallMs : NaN };
  }

  reset(): void {
    this.startCpuMs = cpuMs(this.pid);
    this.startAt = performance.now();
  }
}
