// A KV bucket's change feed that outlives the NATS node its consumer is on.
//
// A bucket watch is an ordered push consumer with one replica, placed on any node of the
// cluster, whatever node the hub is connected to. When that node dies the consumer dies with
// it, and nothing says so: the hub's connection may be on another node and stay up. The
// client notices only by missed idle heartbeats, which it spaces 30 s apart and acts on after
// two, so for 60-90 s a hub's view of the bucket (tasks, hub leases, tokens, channels) stood
// still while the bucket moved on (test/cluster/bucket-feeds.test.ts).
//
// So each feed checks itself against the bucket: every `checkMs` it reads the bucket's last
// revision (from the stream leader, which has replicas and is re-elected). A feed that is
// behind and has taken nothing since the check before is stalled: it is watched again from
// the revision after the last one it took. A feed that moves, however slowly (a large bucket
// loading), is left alone. A watch that ends without stop() is watched again too.
import type { KV, KvWatchEntry, KvWatchOptions } from '@nats-io/kv';
import { ClosedConnectionError, DrainingConnectionError } from '@nats-io/transport-node';

/** What a feed tells the hub's log. */
export interface FeedEvents {
  /** A feed was found stalled (or ended) and is watched again from `fromRevision`. */
  onRestart?: (bucket: string, fromRevision: number, reason: string) => void;
  /** A check or a restart that failed (the next check tries again). */
  onError?: (bucket: string, message: string, error: unknown) => void;
}

export interface BucketFeedOptions extends FeedEvents {
  /** The bucket's name, for the log. */
  name: string;
  /** How often the feed is checked against the bucket's last revision. */
  checkMs?: number;
}

const defaultCheckMs = 2000;
const startAttempts = 3;
/** Restarts that bring nothing in back off up to this long, so a gap that cannot fill does not loop. */
const maxRestartGapMs = 60_000;

export class BucketFeed {
  private taken = 0;
  private stopped = false;
  private stopWatch: () => void = () => {};
  private watching: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  private restarting = false;
  /** The revision taken when the feed was last seen behind; null while it is caught up. */
  private behindAt: number | null = null;
  private lastRestart = 0;
  private restartGapMs: number;
  /** The revision taken when the feed was last watched again (-1: never). */
  private takenAtRestart = -1;

  private constructor(
    private readonly bucket: KV,
    private readonly take: (entry: KvWatchEntry) => void,
    private readonly options: BucketFeedOptions,
  ) {
    this.restartGapMs = this.checkMs;
    this.timer = setInterval(() => void this.check(), this.checkMs);
    this.timer.unref();
  }

  /** Starts the watch (every key's last value, then each change) and feeds `take`. */
  static async start(bucket: KV, take: (entry: KvWatchEntry) => void, options: BucketFeedOptions): Promise<BucketFeed> {
    const feed = new BucketFeed(bucket, take, options);
    // Right after a node loss a consumer's creation can go unanswered (10 s, then a timeout)
    // while the next one succeeds: a hub starting then tries again rather than failing its start.
    for (let attempt = 1; ; attempt++) {
      try {
        await feed.watch({});
        return feed;
      } catch (error) {
        if (attempt >= startAttempts || connectionGone(error)) {
          clearInterval(feed.timer);
          throw error;
        }
        options.onError?.(options.name, 'bucket feed not started; trying again', error);
      }
    }
  }

  /** The highest revision taken so far. */
  get revision(): number {
    return this.taken;
  }

  async stop(): Promise<void> {
    this.end();
    await this.watching;
  }

  /** Stopped, or its connection closed (a hub start that failed midway): no more checks or restarts. */
  private end(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.stopWatch();
  }

  private get checkMs(): number {
    return this.options.checkMs ?? defaultCheckMs;
  }

  private async watch(options: KvWatchOptions): Promise<void> {
    const watch = await this.bucket.watch(options);
    let ended = false;
    this.stopWatch = () => {
      ended = true;
      watch.stop();
    };
    this.watching = (async () => {
      for await (const entry of watch) {
        this.taken = Math.max(this.taken, entry.revision);
        this.take(entry);
      }
    })().catch((error: unknown) => this.options.onError?.(this.options.name, 'bucket feed failed', error))
      .finally(() => {
        if (!ended && !this.stopped) void this.restart('the watch ended');
      });
  }

  /** Behind the bucket at two checks in a row, with nothing taken in between: stalled. */
  private async check(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      const last = (await this.bucket.status()).streamInfo.state.last_seq;
      if (this.taken >= last) {
        this.behindAt = null;
        return;
      }
      if (this.behindAt === this.taken) await this.restart(`behind the bucket (revision ${this.taken} of ${last}) with nothing taken for ${this.checkMs} ms`);
      else this.behindAt = this.taken;
    } catch (error) {
      if (connectionGone(error)) return this.end();
      // The stream may be electing a leader after a node loss: the next check tries again.
      this.options.onError?.(this.options.name, 'bucket feed check failed', error);
    } finally {
      this.checking = false;
    }
  }

  private async restart(reason: string): Promise<void> {
    if (this.stopped || this.restarting || Date.now() - this.lastRestart < this.restartGapMs) return;
    this.restarting = true;
    const takenBefore = this.taken;
    // A restart that brought nothing since the last one waits longer before the next.
    const fruitless = takenBefore === this.takenAtRestart;
    this.restartGapMs = fruitless ? Math.min(maxRestartGapMs, this.restartGapMs * 2) : this.checkMs;
    this.lastRestart = Date.now();
    this.takenAtRestart = takenBefore;
    this.behindAt = null;
    this.options.onRestart?.(this.options.name, takenBefore + 1, reason);
    this.stopWatch();
    try {
      await this.watch(takenBefore > 0 ? { resumeFromRevision: takenBefore + 1 } : {});
    } catch (error) {
      if (connectionGone(error)) return this.end();
      // No consumer could be made (no stream leader yet): the next check finds the feed still behind.
      this.options.onError?.(this.options.name, 'bucket feed not restarted', error);
    } finally {
      this.restarting = false;
    }
  }
}

function connectionGone(error: unknown): boolean {
  return error instanceof ClosedConnectionError || error instanceof DrainingConnectionError;
}
