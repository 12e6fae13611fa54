// Progress on stderr, so stdout carries only the setup and the result tables.
import { performance } from 'node:perf_hooks';

export class Progress {
  private readonly startedAt = performance.now();

  constructor(private readonly label: string) {}

  /** One line per stage, stamped with seconds since this progress started. */
  stage(message: string): void {
    const seconds = ((performance.now() - this.startedAt) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${seconds}s] ${this.label}: ${message}\n`);
  }

  child(label: string): Progress {
    return new Progress(`${this.label}/${label}`);
  }
}

/** A rate-limited counter for long loops: prints at most every `everyMs`, and always at the end. */
export class ProgressCounter {
  private lastPrintAt = 0;

  constructor(
    private readonly progress: Progress,
    private readonly what: string,
    private readonly total: number,
    private readonly everyMs = 2000,
  ) {}

  update(done: number): void {
    const now = performance.now();
    if (done < this.total && now - this.lastPrintAt < this.everyMs) return;
    this.lastPrintAt = now;
    const percent = Math.floor((done / this.total) * 100);
    this.progress.stage(`${this.what} ${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${percent}%)`);
  }
}
