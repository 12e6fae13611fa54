// Re-reads from the API what events say has moved, instead of guessing it on the page:
// queue counts, dead letters, completions, the visible task page and the open drawer.
// Each kind is fetched at most once per `intervalMs`, however fast events arrive.

export type RefreshKind = 'stats' | 'deadLetters' | 'completions' | 'tasks' | `task:${string}`;

export class Refresher {
  private readonly dirty = new Set<RefreshKind>();
  private timer: number | undefined;
  private lastRunAt = 0;
  private running = false;

  constructor(private readonly intervalMs: number, private readonly run: (kinds: Set<RefreshKind>) => Promise<void>) {}

  mark(...kinds: RefreshKind[]): void {
    for (const kind of kinds) this.dirty.add(kind);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.running || this.dirty.size === 0) return;
    const wait = Math.max(0, this.lastRunAt + this.intervalMs - Date.now());
    this.timer = window.setTimeout(() => void this.flush(), wait);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const kinds = new Set(this.dirty);
    this.dirty.clear();
    this.running = true;
    this.lastRunAt = Date.now();
    try {
      await this.run(kinds);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
