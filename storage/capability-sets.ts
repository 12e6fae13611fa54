// Distinct needed_capabilities sets, each with a small integer id.
//
// The ready index is keyed by capset first, so picking a task for an agent looks
// at one index range per capset the agent satisfies: the cost grows with the
// number of distinct sets, not with queue length.
import type { Database } from 'lmdb';

export class CapabilitySets {
  private readonly idsByKey = new Map<string, number>();
  private readonly capsById = new Map<number, readonly string[]>();
  private readonly matchCache = new Map<string, number[]>();
  private nextId = 0;

  /** Loads every known set; called once at open. */
  static load(db: Database<string[], number>): CapabilitySets {
    const sets = new CapabilitySets();
    for (const { key, value } of db.getRange()) sets.remember(key, value);
    return sets;
  }

  /**
   * The id of a sorted, de-duplicated capability list; new sets are written with
   * `persist` (inside the caller's transaction, so the set and the task commit together).
   */
  idOf(sortedCaps: readonly string[], persist: (id: number, caps: string[]) => void): number {
    const key = keyOf(sortedCaps);
    const known = this.idsByKey.get(key);
    if (known !== undefined) return known;
    const id = this.nextId;
    this.remember(id, [...sortedCaps]);
    persist(id, [...sortedCaps]);
    return id;
  }

  /** Ids of every set whose capabilities are all among `agentCaps` (exact string match). */
  matching(agentCaps: readonly string[]): number[] {
    const key = keyOf([...new Set(agentCaps)].sort());
    const cached = this.matchCache.get(key);
    if (cached) return cached;
    const have = new Set(agentCaps);
    const ids: number[] = [];
    for (const [id, caps] of this.capsById) if (caps.every((c) => have.has(c))) ids.push(id);
    this.matchCache.set(key, ids);
    return ids;
  }

  /** The capabilities of set `id` (a task in its lane needs exactly these); empty for an unknown id. */
  capabilitiesOf(id: number): readonly string[] {
    return this.capsById.get(id) ?? noCapabilities;
  }

  get size(): number {
    return this.capsById.size;
  }

  private remember(id: number, caps: string[]): void {
    this.idsByKey.set(keyOf(caps), id);
    this.capsById.set(id, caps);
    this.nextId = Math.max(this.nextId, id + 1);
    this.matchCache.clear();
  }
}

const noCapabilities: readonly string[] = [];

// JSON keeps the key unambiguous whatever characters a capability holds.
const keyOf = (sortedCaps: readonly string[]) => JSON.stringify(sortedCaps);
