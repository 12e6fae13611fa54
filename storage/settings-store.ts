// Runtime settings changed over the API (default repo, thresholds…), durable before acknowledged.
import type { LmdbStore } from './lmdb-store.ts';

export class SettingsStore {
  constructor(private readonly store: Pick<LmdbStore, 'config' | 'flushed'>) {}

  get<T>(key: string): T | undefined {
    return this.store.config.get(key) as T | undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.store.config.put(key, value);
    await this.store.flushed();
  }
}
