// Runtime settings changed over the API (default repo, thresholds…), durable before acknowledged.
import { durablyOrRefused, type WriteSink } from './durable-write.ts';
import type { LmdbStore } from './lmdb-store.ts';

export class SettingsStore {
  constructor(private readonly store: Pick<LmdbStore, 'config'> & WriteSink) {}

  get<T>(key: string): T | undefined {
    return this.store.config.get(key) as T | undefined;
  }

  /** Resolves once durable; a write the disk cannot take rejects with a ThrownFailure (507 on a full disk). */
  async set(key: string, value: unknown): Promise<void> {
    await durablyOrRefused(this.store, () => this.store.config.put(key, value));
  }
}
