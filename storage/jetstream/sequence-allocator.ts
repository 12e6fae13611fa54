// Queue sequence numbers across hubs: one counter in the meta bucket, moved by
// compare-and-set. Requests made in the same event-loop turn share one CAS, so a burst of
// submits costs one round trip; the counter only moves forward, so seqs are unique and
// ordered by when their block was taken (FIFO within a lane, across hubs).
import { type KV } from '@nats-io/kv';
import { isRevisionConflict } from './nats-cluster.ts';

const seqKey = 'seq';
const maxAttempts = 50;

interface Request {
  count: number;
  resolve: (first: number) => void;
  reject: (error: unknown) => void;
}

export class SequenceAllocator {
  private pending: Request[] = [];
  private scheduled = false;
  /** The counter as this hub last saw it; a CAS against it fails harmlessly when stale. */
  private known: { value: number; revision: number } | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly meta: KV) {}

  /** The first of `count` consecutive seqs nobody else gets. */
  take(count = 1): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ count, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        const batch = this.pending.splice(0);
        // One CAS at a time from this hub: concurrent ones would only fail against each other.
        this.running = this.running.then(() => this.allocate(batch));
      });
    });
  }

  private async allocate(batch: Request[]): Promise<void> {
    const total = batch.reduce((sum, request) => sum + request.count, 0);
    try {
      let first = 0;
      for (let attempt = 0; ; attempt++) {
        const known = this.known ?? (await this.read());
        try {
          const next = known.value + total;
          const revision = known.revision === 0
            ? await this.meta.create(seqKey, String(next))
            : await this.meta.update(seqKey, String(next), known.revision);
          this.known = { value: next, revision };
          first = known.value + 1;
          break;
        } catch (error) {
          if (!isRevisionConflict(error) || attempt >= maxAttempts) throw error;
          this.known = await this.read();
        }
      }
      for (const request of batch) {
        request.resolve(first);
        first += request.count;
      }
    } catch (error) {
      this.known = null;
      for (const request of batch) request.reject(error);
    }
  }

  private async read(): Promise<{ value: number; revision: number }> {
    const entry = await this.meta.get(seqKey);
    if (!entry || entry.operation !== 'PUT') return { value: 0, revision: entry?.revision ?? 0 };
    return { value: Number(entry.string()), revision: entry.revision };
  }
}
