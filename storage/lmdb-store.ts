// The hub's one LMDB environment and its named databases.
//
// Every durable thing lives in one environment (one file, one write lock), so a
// transaction can move a task between the queue, its indexes and the dead letters
// atomically, and one sync makes a whole batch of changes durable.
import type { Database, RootDatabase } from 'lmdb';
import { mkdirSync } from 'node:fs';
import { LiveEnvironment } from './live-environment.ts';
import type { StoredMessage } from './stored-message.ts';
import type { TaskRecord } from './task-record.ts';
import { WriteFaults } from './write-failure.ts';

export type ReadyKey = [capsetId: number, priority: number, seq: number];
export type DelayedKey = [notBefore: number, seq: number];
export type StatusKey = [status: string, seq: number];
export type MailboxKey = [agentId: string, seq: number];
export type ChannelHistoryKey = [channel: string, seq: number];
export type SubscriptionKey = [agentId: string, channel: string];
export type SubscriberKey = [channel: string, agentId: string];
export type ClientMessageKey = [sender: string, clientMsgId: string];

export interface LmdbStore {
  readonly path: string;
  readonly root: RootDatabase;
  /** The environment behind the handles below, for compaction's file swap (live-environment.ts). */
  readonly live: LiveEnvironment;
  /** task id → task, for every task that is not dead-lettered. */
  readonly tasks: Database<TaskRecord, string>;
  /** dead-lettered tasks, kept whole with their history. */
  readonly deadLetters: Database<TaskRecord, string>;
  /** [capset, priority, seq] → task id, for queued tasks: the scheduler's index. */
  readonly ready: Database<string, ReadyKey>;
  /** [not_before, seq] → task id, for delayed tasks. */
  readonly delayed: Database<string, DelayedKey>;
  /** [status, seq] → task id, for listing and counting. */
  readonly byStatus: Database<string, StatusKey>;
  /** capset id → sorted capability names. */
  readonly capsets: Database<string[], number>;
  /** client idempotency key → task id. */
  readonly idempotency: Database<string, string>;
  /** small hub-wide values: sequence high-water mark, schema version. */
  readonly meta: Database<unknown, string>;
  /** token key → hashed token record (token-store.ts). */
  readonly tokens: Database<unknown, string>;
  /** agent id → what the hub remembers of an agent between connections. */
  readonly agents: Database<unknown, string>;
  /** runtime configuration set over the API (default repo, thresholds…). */
  readonly config: Database<unknown, string>;
  /** [recipient, seq] → direct message, until acked or evicted (mailbox-store.ts). */
  readonly mailbox: Database<StoredMessage, MailboxKey>;
  /** channel name → channel record with its seq range (channel-store.ts). */
  readonly channels: Database<unknown, string>;
  /** [channel, seq] → channel message, the newest `channel_history_cap` per channel. */
  readonly channelHistory: Database<StoredMessage, ChannelHistoryKey>;
  /** [agent, channel] → subscribed_at: an agent's channels. */
  readonly subscriptions: Database<number, SubscriptionKey>;
  /** [channel, agent] → subscribed_at: a channel's subscribers (the same facts, other order). */
  readonly subscribers: Database<number, SubscriberKey>;
  /** [sender, client_msg_id] → what the first send was answered, for deduplicating retries. */
  readonly clientMessages: Database<unknown, ClientMessageKey>;
  /** The last write that could not be committed (disk or map full, I/O error), until one succeeds. */
  readonly writeFaults: WriteFaults;
  /**
   * Call at once (before any macrotask) when a commit failed: the record structures msgpackr
   * minted inside that transaction were never saved, and a record encoded with them would be
   * unreadable after a restart. They are reloaded from disk on the next write.
   */
  forgetUncommittedStructures(): void;
  /** actor system id (`agent:<id>`) → its persisted XState snapshot (actor-snapshots.ts). */
  readonly snapshots: Database<unknown, string>;
  /** sample timestamp → one metrics sample of the dashboard's last hour (actor-snapshots.ts). */
  readonly metricsSamples: Database<unknown, number>;
  /** Resolves when every write issued so far is synced to disk. */
  flushed(): Promise<void>;
  close(): Promise<void>;
}

export interface LmdbStoreOptions {
  /** Folder of the environment; created when missing. */
  path: string;
  /** Largest size the map may grow to. LMDB grows the file lazily; this is only a ceiling. */
  mapSizeBytes?: number;
  /** Open for reading only (checking a backup); nothing is created. */
  readOnly?: boolean;
}

const defaultMapSizeBytes = 64 * 1024 ** 3;

export function openLmdbStore(options: LmdbStoreOptions): LmdbStore {
  if (!options.readOnly) mkdirSync(options.path, { recursive: true });
  const live = new LiveEnvironment(options.path, () => ({
    readOnly: options.readOnly ?? false,
    // lmdb-js treats a path with an extension ("data.v2", "/tmp/tmp.x1") as a file; ours is always a folder.
    noSubdir: false,
    maxDbs: 32,
    mapSize: options.mapSizeBytes ?? defaultMapSizeBytes,
    // Commits resolve before the sync (overlappingSync); we ack only after flushed().
    overlappingSync: true,
    compression: false,
  }));
  const root = live.rootHandle();
  const db = <V, K extends import('lmdb').Key>(name: string, extra: object = {}) => live.database<V, K>(name, extra);
  const tasks = db<TaskRecord, string>('tasks', { sharedStructuresKey: Symbol.for('structures') });
  const deadLetters = db<TaskRecord, string>('dead_letters', { sharedStructuresKey: Symbol.for('structures') });
  return {
    path: options.path,
    root,
    live,
    tasks,
    deadLetters,
    ready: db('ready'),
    delayed: db('delayed'),
    byStatus: db('by_status'),
    capsets: db('capsets'),
    idempotency: db('idempotency'),
    meta: db('meta'),
    tokens: db('tokens'),
    agents: db('agents'),
    config: db('config'),
    mailbox: db('mailbox'),
    channels: db('channels'),
    channelHistory: db('channel_history'),
    subscriptions: db('subscriptions'),
    subscribers: db('subscribers'),
    clientMessages: db('client_messages'),
    writeFaults: new WriteFaults(),
    forgetUncommittedStructures: () => {
      for (const structured of [tasks, deadLetters]) {
        const encoder = (structured as unknown as { encoder?: { structures?: unknown } }).encoder;
        // msgpackr's own signal (pack.js): uninitialized structures are reloaded through getStructures.
        if (encoder?.structures) encoder.structures = Object.assign([], { uninitialized: true });
      }
    },
    snapshots: db('snapshots'),
    metricsSamples: db('metrics_samples'),
    flushed: () => live.flushed(),
    close: () => live.close(),
  };
}
