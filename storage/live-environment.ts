// The open LMDB environment behind stable handles, so compaction can swap the data
// file under a running hub.
//
// Every store holds proxies (the root and each named database) that forward to the
// environment open right now. Writes pass through one place, which lets compaction
// (storage/compaction.ts) do three things without the stores knowing:
//   - journal the keys written while it copies, to replay them onto the copy;
//   - wait until every write issued so far has committed;
//   - hold new writes while it swaps the file, and run them on the new file after.
// Reads are never held: until the swap they are served by the old environment, which
// holds the same data as the copy by then, and from the swap on by the copy.
import { open, type Database, type Key, type RootDatabase, type RootDatabaseOptions } from 'lmdb';

/** A key written in one named database (the root database has name null). */
export interface JournalEntry {
  db: string | null;
  key: Key;
}

interface Generation {
  root: RootDatabase;
  dbs: Map<string, Database>;
}

interface DatabaseSpec {
  name: string;
  options: object;
}

const keyedWrites = new Set(['put', 'remove', 'putSync', 'removeSync', 'ifNoExists', 'ifVersion', 'del']);
const scopedWrites = new Set(['transaction', 'transactionSync', 'childTransaction', 'transactionAsync']);

export class LiveEnvironment {
  private current: Generation;
  private readonly specs = new Map<string, DatabaseSpec>();
  private readonly inflight = new Set<Promise<unknown>>();
  private journal: JournalEntry[] | null = null;
  private held: { release: () => void; released: Promise<void> } | null = null;
  /** Depth of write-transaction callbacks running now: writes inside one belong to it and are never held. */
  private transactionDepth = 0;
  /** The last swap's folder sync, while it runs: no write on the new file is durable before it. */
  private swapSync: Promise<void> | null = null;

  constructor(readonly path: string, private readonly rootOptions: () => RootDatabaseOptions) {
    this.current = { root: open({ ...rootOptions(), path }), dbs: new Map() };
  }

  get root(): RootDatabase {
    return this.current.root;
  }

  /** A stable handle on a named database, forwarding to the environment open at the time of each call. */
  database<V, K extends Key>(name: string, options: object): Database<V, K> {
    this.specs.set(name, { name, options });
    this.dbOf(this.current, name);
    return this.forwarder(name, () => this.dbOf(this.current, name)) as unknown as Database<V, K>;
  }

  /** A stable handle on the root database. */
  rootHandle(): RootDatabase {
    return this.forwarder(null, () => this.current.root) as unknown as RootDatabase;
  }

  /** Names of every named database opened through this environment. */
  databaseNames(): string[] {
    return [...this.specs.keys()];
  }

  /** The named database in the environment open now (not a stable handle). */
  openDatabase(name: string): Database {
    return this.dbOf(this.current, name);
  }

  /**
   * Records per named database, from LMDB's own statistics (constant time: counting keys
   * took seconds per call on a 1M-task store, and /health, the storage card and the metrics
   * ask often). The msgpack structures record lmdb-js keeps in a database is left out.
   */
  entryCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, spec] of this.specs) {
      const db = this.dbOf(this.current, name);
      const structures = (spec.options as { sharedStructuresKey?: Key }).sharedStructuresKey;
      const entries = (db.getStats() as { entryCount: number }).entryCount;
      counts[name] = structures !== undefined && db.doesExist(structures) ? entries - 1 : entries;
    }
    return counts;
  }

  /** Starts recording the keys written from now on. */
  startJournal(): void {
    this.journal = [];
  }

  /** Hands over the keys written since the last call and starts a new list. */
  takeJournal(): JournalEntry[] {
    const taken = this.journal ?? [];
    if (this.journal) this.journal = [];
    return taken;
  }

  stopJournal(): void {
    this.journal = null;
  }

  /**
   * Resolves when every write issued so far is on disk: the environment's own flush, and the
   * sync that makes the last file swap durable while that still runs.
   */
  flushed(): Promise<void> {
    const own = this.current.root.flushed as unknown as Promise<void>;
    const swap = this.swapSync;
    return swap ? Promise.all([own, swap]).then(() => undefined) : own;
  }

  /** The sync that makes a swap durable: `flushed` waits for it, so writes can resume before it ends. */
  swapSyncing(sync: Promise<void>): void {
    this.swapSync = sync;
    const done = () => {
      if (this.swapSync === sync) this.swapSync = null;
    };
    sync.then(done, done);
  }

  /** Resolves once every write issued before this call has committed (or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  /** Holds writes issued from now on until `resumeWrites`; writes inside running transactions go on. */
  holdWrites(): void {
    if (this.held) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { release, released };
  }

  resumeWrites(): void {
    const held = this.held;
    this.held = null;
    held?.release();
  }

  /** Opens another environment at `dir` with the live one's options (compaction's copy). */
  openBeside(dir: string): RootDatabase {
    return open({ ...this.rootOptions(), path: dir });
  }

  /**
   * Serves everything from `root`, an environment already open, from now on (writes are
   * expected to be held). Returns the environment it replaced, still open: close it once
   * nothing runs on it.
   */
  adopt(root: RootDatabase): RootDatabase {
    const previous = this.current;
    this.current = { root, dbs: new Map() };
    for (const name of this.specs.keys()) this.dbOf(this.current, name);
    return previous.root;
  }

  close(): Promise<void> {
    return this.current.root.close();
  }

  private dbOf(generation: Generation, name: string): Database {
    let db = generation.dbs.get(name);
    if (!db) {
      db = generation.root.openDB({ name, ...this.specs.get(name)!.options });
      generation.dbs.set(name, db);
    }
    return db;
  }

  /**
   * The handle: each property read forwards to the environment open now. The functions it
   * hands out are made once per property (reads: per environment and method): every LMDB call of the
   * hub passes here, and a fresh bound function per call was garbage on every get and put.
   */
  private forwarder(name: string | null, target: () => object): object {
    const writes = new Map<PropertyKey, (...args: unknown[]) => unknown>();
    let boundFor: object | null = null;
    let bound = new Map<PropertyKey, { value: unknown; fn: unknown }>();
    return new Proxy(Object.create(null) as object, {
      get: (_shell, property) => {
        const object = target() as Record<PropertyKey, unknown>;
        const value = object[property];
        if (typeof value !== 'function') return value;
        if (typeof property === 'string' && (keyedWrites.has(property) || scopedWrites.has(property))) {
          let write = writes.get(property);
          if (!write) writes.set(property, (write = (...args: unknown[]) => this.write(name, property, args, target)));
          return write;
        }
        if (boundFor !== object) {
          boundFor = object;
          bound = new Map();
        }
        let forwarded = bound.get(property);
        if (forwarded?.value !== value) bound.set(property, (forwarded = { value, fn: (value as (...a: unknown[]) => unknown).bind(object) }));
        return forwarded!.fn;
      },
    });
  }

  private write(name: string | null, method: string, args: unknown[], target: () => object): unknown {
    const synchronous = method.endsWith('Sync');
    if (this.held && this.transactionDepth === 0 && !synchronous) {
      const later = this.held.released.then(() => this.write(name, method, args, target));
      return this.track(later);
    }
    if (this.journal && keyedWrites.has(method)) this.journal.push({ db: name, key: args[0] as Key });
    if (scopedWrites.has(method) && typeof args[0] === 'function') {
      const callback = args[0] as () => unknown;
      args = [() => {
        this.transactionDepth += 1;
        try {
          return callback();
        } finally {
          this.transactionDepth -= 1;
        }
      }, ...args.slice(1)];
    }
    const object = target() as Record<string, (...a: unknown[]) => unknown>;
    const result = object[method]!(...args);
    if (this.transactionDepth === 0 && !synchronous && isPromise(result)) return this.track(result);
    return result;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const forget = () => this.inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
