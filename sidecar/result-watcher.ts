// Watches results_dir for one task's files: fs.watch for speed, a poll because
// fs.watch misses events on some filesystems (NFS, Docker bind mounts).
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, stat, unlink } from 'node:fs/promises';
import { leaseFilePath } from './lease-files.ts';
import { questionFilePath } from './question-files.ts';
import { parseRateLimitText, parseResultText, resultFilePath, type TaskOutcome } from './result-files.ts';

export interface ResultWatcherEvents {
  onStarted: () => void;
  /** `tokensUsed`: the cumulative count the progress file gave, if any. */
  onProgress: (note: string | null, tokensUsed: number | null) => void;
  onOutcome: (outcome: TaskOutcome) => void;
  /** A question file appeared or changed (`stamp`: its size and mtime); absent: questions are not watched. */
  onQuestion?: (text: string, stamp: string) => void;
  /** A lease request file appeared or changed (`stamp`: its size and mtime); absent: not watched. */
  onLeaseRequest?: (text: string, stamp: string) => void;
  /** The agent wrote a rate-limit file: parked until `until` (epoch ms). Optional: older callers ignore it. */
  onRateLimited?: (until: number) => void;
}

export interface ResultWatcherOptions {
  resultsDir: string;
  taskId: string;
  pollIntervalMs: number;
}

export class ResultWatcher {
  private watcher: FSWatcher | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private checking = false;
  private recheck = false;
  private started = false;
  private done = false;
  // A file that fails to parse may still be being written; it counts as broken
  // only when its size and mtime have not moved for a whole poll interval.
  private unparsable: { stamp: string; sinceMs: number } | null = null;
  /** The question file last handed on, so each version of it is asked once (until `askAgain`). */
  private questionStamp: string | null = null;
  /** The same for the lease request file. */
  private leaseStamp: string | null = null;

  constructor(
    private readonly options: ResultWatcherOptions,
    private readonly events: ResultWatcherEvents,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.options.resultsDir, { recursive: true });
    try {
      this.watcher = watch(this.options.resultsDir, () => void this.check());
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      // The poll still covers it.
    }
    this.pollTimer = setInterval(() => void this.check(), this.options.pollIntervalMs);
    await this.check();
  }

  /** Hands on the current question file again at the next check (after a reconnect). */
  askAgain(): void {
    this.questionStamp = null;
    this.leaseStamp = null;
    void this.check();
  }

  /** The question file was answered and removed: a new one with the same stamp is a new question. */
  questionAnswered(): void {
    this.questionStamp = null;
  }

  /** The lease request was answered and removed: a new one with the same stamp is a new request. */
  leaseAnswered(): void {
    this.leaseStamp = null;
  }

  stop(): void {
    this.done = true;
    this.closeWatcher();
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private async check(): Promise<void> {
    if (this.done) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.recheck = false;
        await this.checkOnce();
      } while (this.recheck && !this.done);
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(): Promise<void> {
    const { resultsDir, taskId } = this.options;
    if (!this.started && (await exists(resultFilePath(resultsDir, taskId, 'started')))) {
      this.started = true;
      this.events.onStarted();
    }
    const progressPath = resultFilePath(resultsDir, taskId, 'progress');
    const progressText = await readOrNull(progressPath);
    if (progressText !== null && !this.done) {
      await unlink(progressPath).catch(() => undefined);
      if (!this.started) {
        this.started = true;
        this.events.onStarted();
      }
      this.events.onProgress(noteOf(progressText), tokensOf(progressText));
    }
    const rateLimitPath = resultFilePath(resultsDir, taskId, 'rate_limited');
    const rateLimitText = this.events.onRateLimited ? await readOrNull(rateLimitPath) : null;
    if (rateLimitText !== null && !this.done) {
      const until = parseRateLimitText(rateLimitText, Date.now());
      // A file that does not parse yet may be half written: it is read again on the next check.
      if (until !== null) {
        await unlink(rateLimitPath).catch(() => undefined);
        this.events.onRateLimited!(until);
      }
    }
    if (this.events.onQuestion && !this.done) await this.checkQuestion();
    if (this.events.onLeaseRequest && !this.done) await this.checkLeaseRequest();
    const resultPath = resultFilePath(resultsDir, taskId, 'result');
    const resultText = await readOrNull(resultPath);
    if (resultText === null || this.done) return;
    const outcome = parseResultText(resultText);
    if (outcome.kind === 'failure' && outcome.reason.startsWith('result_parse_error')) {
      const info = await stat(resultPath).catch(() => null);
      const stamp = info ? `${info.size}:${info.mtimeMs}` : null;
      if (stamp === null) return;
      if (this.unparsable?.stamp !== stamp) {
        this.unparsable = { stamp, sinceMs: Date.now() };
        return;
      }
      if (Date.now() - this.unparsable.sinceMs < this.options.pollIntervalMs) return;
    }
    this.stop();
    this.events.onOutcome(outcome);
  }

  private async checkQuestion(): Promise<void> {
    const questionPath = questionFilePath(this.options.resultsDir, this.options.taskId, 'question');
    const seen = await newVersionOf(questionPath, this.questionStamp);
    if (seen === null) return;
    this.questionStamp = seen.stamp;
    this.events.onQuestion?.(seen.text, seen.stamp);
  }

  private async checkLeaseRequest(): Promise<void> {
    const requestPath = leaseFilePath(this.options.resultsDir, this.options.taskId, 'lease');
    const seen = await newVersionOf(requestPath, this.leaseStamp);
    if (seen === null) return;
    this.leaseStamp = seen.stamp;
    this.events.onLeaseRequest?.(seen.text, seen.stamp);
  }
}

/** A request file's text, when it is there, whole, and not the version `handedOn` already. */
async function newVersionOf(filePath: string, handedOn: string | null): Promise<{ text: string; stamp: string } | null> {
  const stamp = await stampOf(filePath);
  if (stamp === null || stamp === handedOn) return null;
  const text = await readOrNull(filePath);
  // Still being written (an agent that does not write atomically): the next check sees it whole.
  if (text === null || text.trim() === '' || (await stampOf(filePath)) !== stamp) return null;
  return { text, stamp };
}

async function stampOf(filePath: string): Promise<string | null> {
  const info = await stat(filePath).catch(() => null);
  return info ? `${info.size}:${info.mtimeMs}` : null;
}

async function exists(filePath: string): Promise<boolean> {
  return stat(filePath).then(
    () => true,
    () => false,
  );
}

async function readOrNull(filePath: string): Promise<string | null> {
  try {
    return await readFile(filePath, 'utf8');
  } catch {
    return null;
  }
}

function tokensOf(text: string): number | null {
  try {
    const parsed = JSON.parse(text) as { tokens_used?: unknown };
    return typeof parsed.tokens_used === 'number' && Number.isInteger(parsed.tokens_used) && parsed.tokens_used >= 0 ? parsed.tokens_used : null;
  } catch {
    return null;
  }
}

function noteOf(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { output?: unknown };
    return typeof parsed.output === 'string' ? parsed.output : null;
  } catch {
    return text.trim() || null;
  }
}
