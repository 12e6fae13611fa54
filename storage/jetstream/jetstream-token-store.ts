// The token store of a cluster: one record per token hash in the `<prefix>_tokens` KV
// bucket, so a token made on one hub identifies on every hub (a sidecar failing over
// keeps its token), and a revocation on one hub is refused by all.
//
// Reads come from this hub's view of the bucket, fed by its change feed and by this hub's
// own acknowledged writes, so `verify` stays synchronous (the HTTP router and the agent
// socket check a token on every request). Another hub's create or revoke reaches the view
// when the feed delivers it, which on a healthy cluster is about when that hub's write is
// acknowledged. A token is written once and deleted once, never rewritten: a key seen
// deleted stays deleted in the view whatever order the feed and local writes arrive in.
import { jetstream, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { ThrownFailure, fail } from '../domain/errors.ts';
import { newToken, oldestFirst, ownerOf, tokenHashOf, type TokenOwner, type TokenRecord, type TokenRequest, type TokenStore } from '../token-store.ts';
import { BucketFeed, type FeedEvents } from './bucket-feed.ts';
import { defaultBucketPrefix } from './nats-cluster.ts';

export interface JetStreamTokenStoreOptions {
  prefix?: string;
  /** Replicas of the bucket's stream; at most the cluster size. */
  replicas?: number;
  now?: () => number;
  /** The bucket's feed restarting after a stall (a NATS node lost). */
  feedEvents?: FeedEvents;
}

export class JetStreamTokenStore implements TokenStore {
  private readonly records = new Map<string, TokenRecord>();
  /** Hashes deleted (here or elsewhere): a late PUT from the feed must not bring one back. */
  private readonly deleted = new Set<string>();
  /** Hashes this hub is deleting: their deletion is not news from elsewhere. */
  private readonly revokingHere = new Set<string>();
  private readonly revokedListeners: Array<(agentId: string) => void> = [];
  private revision = 0;
  private readonly revisionWaiters: Array<{ revision: number; resolve: () => void }> = [];
  private feed: BucketFeed | null = null;

  private constructor(private readonly bucket: KV, private readonly now: () => number) {}

  /** Opens (or creates) the bucket and resolves once the view holds every token in it. */
  static async open(connection: NatsConnection, options: JetStreamTokenStoreOptions = {}): Promise<JetStreamTokenStore> {
    const kvm = new Kvm(jetstream(connection, { timeout: 10_000 }));
    const bucket = await kvm.create(`${options.prefix ?? defaultBucketPrefix}_tokens`, {
      history: 1, replicas: options.replicas ?? 1, storage: StorageType.File,
    });
    const store = new JetStreamTokenStore(bucket, options.now ?? Date.now);
    store.feed = await BucketFeed.start(bucket, (entry) => store.take(entry), { name: 'tokens', ...options.feedEvents });
    await store.caughtUp();
    return store;
  }

  async create(request: TokenRequest): Promise<{ token: string; record: TokenRecord }> {
    const made = newToken(request, this.now());
    await refusedAsStorage(() => this.bucket.create(made.record.hash, JSON.stringify(made.record)));
    this.records.set(made.record.hash, made.record);
    return made;
  }

  verify(token: string): TokenOwner | null {
    return ownerOf(token, (hash) => this.records.get(hash));
  }

  /**
   * A miss in the view is read again from the bucket: another hub's create reaches the view
   * when the feed delivers it, and a sidecar may register on one hub and identify on another at
   * once. A record found is taken into the view; a hash seen deleted stays deleted.
   */
  async verifyCurrent(token: string): Promise<TokenOwner | null> {
    const known = this.verify(token);
    const hash = tokenHashOf(token);
    if (known || hash === null || this.deleted.has(hash)) return known;
    const entry = await this.bucket.get(hash);
    if (entry?.operation === 'PUT' && !this.deleted.has(hash)) this.records.set(hash, entry.json<TokenRecord>());
    return this.verify(token);
  }

  list(): TokenRecord[] {
    return oldestFirst([...this.records.values()]);
  }

  hasAgent(agentId: string): boolean {
    for (const record of this.records.values()) if (record.agent_id === agentId) return true;
    return false;
  }

  /** One delete per token (a bucket has no multi-key transaction); a failure midway leaves the rest for a retry. */
  async revokeAgent(agentId: string): Promise<number> {
    const hashes = [...this.records.values()].filter((record) => record.agent_id === agentId).map((record) => record.hash);
    for (const hash of hashes) this.revokingHere.add(hash);
    try {
      for (const hash of hashes) {
        await refusedAsStorage(() => this.bucket.delete(hash));
        this.forget(hash);
      }
    } finally {
      for (const hash of hashes) this.revokingHere.delete(hash);
    }
    return hashes.length;
  }

  onRevokedElsewhere(listener: (agentId: string) => void): void {
    this.revokedListeners.push(listener);
  }

  /** Stops the feed; the connection belongs to the queue engine, which closes it. */
  async close(): Promise<void> {
    await this.feed?.stop();
  }

  private take(entry: KvWatchEntry): void {
    if (entry.operation === 'PUT') {
      if (!this.deleted.has(entry.key)) this.records.set(entry.key, entry.json<TokenRecord>());
    } else {
      const record = this.records.get(entry.key);
      this.forget(entry.key);
      if (record?.agent_id && !this.revokingHere.has(entry.key)) {
        for (const listener of this.revokedListeners) listener(record.agent_id);
      }
    }
    this.revision = Math.max(this.revision, entry.revision);
    while (this.revisionWaiters.length > 0 && this.revisionWaiters[0]!.revision <= this.revision) this.revisionWaiters.shift()!.resolve();
  }

  private forget(hash: string): void {
    this.records.delete(hash);
    this.deleted.add(hash);
  }

  private async caughtUp(): Promise<void> {
    const last = (await this.bucket.status()).streamInfo.state.last_seq;
    if (this.revision >= last) return;
    await new Promise<void>((resolve) => {
      this.revisionWaiters.push({ revision: last, resolve });
      this.revisionWaiters.sort((a, b) => a.revision - b.revision);
    });
  }
}

/** A write the cluster did not acknowledge: the same coded refusal the LMDB stores give (the router answers it with its code). */
async function refusedAsStorage<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw new ThrownFailure(fail('AC_ERR_STORAGE', `token store: ${error instanceof Error ? error.message : String(error)}`));
  }
}
