// The path leases held right now, in memory, indexed for the scheduler's check.
//
// The globs of held leases are grouped per repository, then by the literal folders they start
// with, two levels deep: `src/**` under `src`, `src/parser/*.ts` under `src` → `parser`. Each
// glob of a check is compared only with the held globs of the groups it could share files
// with, plus the few that start with a pattern (`**/*.md`), so its cost follows the globs that
// could overlap, not every lease held nor every glob of a lease met in a group.
// What is durable, and when a lease starts and ends, is path-leases.ts's business.
import { globSetsOverlap, globsOverlap, parseGlob, type ParsedGlob } from './path-globs.ts';

export interface PathLease {
  /** `task:<task id>` for the lease a task's own `paths` give it; `lease-<hex>` for one taken over the socket. */
  lease_id: string;
  task_id: string;
  /** The holding agent; null for a lease picked for a claim that has not committed yet. */
  agent_id: string | null;
  /** The assignment the lease belongs to: it ends with it. */
  generation: number;
  /** `metadata.repo` of the task, or '' for the hub's default repository. */
  repo: string;
  paths: string[];
  acquired_at: number;
}

/** What a queued task waits for: the lease that overlapped its paths when it was last picked. */
export interface LeaseWait {
  lease: PathLease;
  since: number;
}

export type LeaseAcquireOutcome = { granted: PathLease } | { denied: PathLease };

interface Entry {
  lease: PathLease;
  globs: ParsedGlob[];
  /** One per glob: what the index holds. */
  items: Item[];
  /** Where the entry sits in its repository's `all`. */
  at: number;
}

/** One glob of a held lease, indexed by the literal folders it starts with. */
interface Item {
  entry: Entry;
  glob: ParsedGlob;
  /** The group the item sits in, and where: it leaves it by a swap with the group's last item. */
  group: Item[];
  at: number;
}

// Groups are plain arrays, not Sets: a check walks them without an iterator or holes left by
// deletions, and an item leaves its group in constant time, swapped with the last one.
interface TopGroup {
  /** Globs whose literal prefix is this folder alone (`src/**`, `src/*.ts`, `src`). */
  shallow: Item[];
  /** Globs by their second literal folder (`src/parser/**` under `parser`). */
  deep: Map<string, Item[]>;
}

interface RepoLeases {
  byTop: Map<string, TopGroup>;
  /** Globs that start with a pattern: every check looks at them. */
  spread: Item[];
  all: Entry[];
}

export class PathLeaseTable {
  private readonly repos = new Map<string, RepoLeases>();
  private readonly byId = new Map<string, Entry>();
  private readonly byTask = new Map<string, Entry[]>();

  get size(): number {
    return this.byId.size;
  }

  get(leaseId: string): PathLease | undefined {
    return this.byId.get(leaseId)?.lease;
  }

  has(leaseId: string): boolean {
    return this.byId.has(leaseId);
  }

  ofTask(taskId: string): PathLease[] {
    return (this.byTask.get(taskId) ?? []).map((entry) => entry.lease);
  }

  all(): PathLease[] {
    return [...this.byId.values()].map((entry) => entry.lease);
  }

  /** Holds `lease`, replacing a lease with the same id. */
  hold(lease: PathLease, parsed?: ParsedGlob[]): void {
    const held = this.byId.get(lease.lease_id);
    // A claim's pending lease held again by its commit: same globs, so the index stays as it is.
    // Updated in place, so a task that began waiting for it meanwhile sees its holder too.
    if (held && coversTheSameFiles(held.lease, lease)) {
      Object.assign(held.lease, lease);
      return;
    }
    this.release(lease.lease_id);
    const globs = parsed ?? lease.paths.map((path) => parseGlob(path));
    const entry: Entry = { lease, globs, items: [], at: 0 };
    const repo = this.repoOf(lease.repo);
    append(repo.all, entry);
    for (const glob of globs) {
      const item: Item = { entry, glob, group: this.groupFor(repo, glob), at: 0 };
      entry.items.push(item);
      append(item.group, item);
    }
    this.byId.set(lease.lease_id, entry);
    const ofTask = this.byTask.get(lease.task_id);
    if (ofTask) ofTask.push(entry);
    else this.byTask.set(lease.task_id, [entry]);
  }

  release(leaseId: string): PathLease | undefined {
    const entry = this.byId.get(leaseId);
    if (!entry) return undefined;
    this.byId.delete(leaseId);
    const repo = this.repos.get(entry.lease.repo)!;
    remove(repo.all, entry);
    for (const item of entry.items) {
      remove(item.group, item);
      if (item.group.length === 0 && item.group !== repo.spread) dropEmptyGroup(repo, item.glob);
    }
    if (repo.all.length === 0) this.repos.delete(entry.lease.repo);
    const ofTask = this.byTask.get(entry.lease.task_id);
    if (ofTask) {
      if (ofTask.length === 1) this.byTask.delete(entry.lease.task_id);
      else ofTask.splice(ofTask.indexOf(entry), 1);
    }
    return entry.lease;
  }

  /** Releases every lease of a task; returns them. */
  releaseTask(taskId: string): readonly PathLease[] {
    const ofTask = this.byTask.get(taskId);
    if (!ofTask) return noLeases;
    // Most tasks hold their own lease alone: no copy of the list to walk while it shrinks.
    if (ofTask.length === 1) return [this.release(ofTask[0].lease.lease_id)!];
    return ofTask.slice().map((entry) => this.release(entry.lease.lease_id)!);
  }

  /**
   * A lease of another task in `repo` whose paths overlap `paths`, or null when none does.
   * Each glob is compared only with the held globs that could share a file with it: those in
   * its literal folders' groups and those starting with a pattern.
   */
  conflictWith(repo: string, paths: ReadonlyArray<string | ParsedGlob>, ownTaskId: string | null): PathLease | null {
    const leases = this.repos.get(repo);
    if (!leases) return null;
    for (const path of paths) {
      const glob = typeof path === 'string' ? parseGlob(path) : path;
      const hit = this.conflictOfGlob(leases, glob, ownTaskId);
      if (hit) return hit;
    }
    return null;
  }

  private conflictOfGlob(leases: RepoLeases, glob: ParsedGlob, ownTaskId: string | null): PathLease | null {
    const [top, second] = glob.literalPrefix;
    if (top === undefined) {
      for (const entry of leases.all) {
        if (entry.lease.task_id !== ownTaskId && globSetsOverlap([glob], entry.globs)) return entry.lease;
      }
      return null;
    }
    const spread = firstOverlap(leases.spread, glob, ownTaskId);
    if (spread) return spread;
    const group = leases.byTop.get(top);
    if (!group) return null;
    const shallow = firstOverlap(group.shallow, glob, ownTaskId);
    if (shallow) return shallow;
    if (second !== undefined) {
      const deep = group.deep.get(second);
      return deep ? firstOverlap(deep, glob, ownTaskId) : null;
    }
    for (const deep of group.deep.values()) {
      const hit = firstOverlap(deep, glob, ownTaskId);
      if (hit) return hit;
    }
    return null;
  }

  private repoOf(name: string): RepoLeases {
    let repo = this.repos.get(name);
    if (!repo) this.repos.set(name, (repo = { byTop: new Map(), spread: [], all: [] }));
    return repo;
  }

  /** The group a glob is indexed in: by its first two literal folders, or the spread ones. */
  private groupFor(repo: RepoLeases, glob: ParsedGlob): Item[] {
    const [top, second] = glob.literalPrefix;
    if (top === undefined) return repo.spread;
    let group = repo.byTop.get(top);
    if (!group) repo.byTop.set(top, (group = { shallow: [], deep: new Map() }));
    if (second === undefined) return group.shallow;
    let deep = group.deep.get(second);
    if (!deep) group.deep.set(second, (deep = []));
    return deep;
  }
}

const noLeases: readonly PathLease[] = [];

function append<T extends { at: number }>(list: T[], element: T): void {
  element.at = list.length;
  list.push(element);
}

/** Takes `element` out of `list` in constant time: the last element takes its place. */
function remove<T extends { at: number }>(list: T[], element: T): void {
  const last = list.pop()!;
  if (last === element) return;
  list[element.at] = last;
  last.at = element.at;
}

/** A folder group left empty: forgotten, so folders no lease names any more cost nothing. */
function dropEmptyGroup(repo: RepoLeases, glob: ParsedGlob): void {
  const [top, second] = glob.literalPrefix;
  const group = repo.byTop.get(top)!;
  if (second !== undefined && group.deep.get(second)?.length === 0) group.deep.delete(second);
  if (group.shallow.length === 0 && group.deep.size === 0) repo.byTop.delete(top);
}

function firstOverlap(items: readonly Item[], glob: ParsedGlob, ownTaskId: string | null): PathLease | null {
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (item.entry.lease.task_id !== ownTaskId && globsOverlap(glob, item.glob)) return item.entry.lease;
  }
  return null;
}

function coversTheSameFiles(a: PathLease, b: PathLease): boolean {
  return a.task_id === b.task_id && a.repo === b.repo && a.paths.length === b.paths.length && a.paths.every((path, i) => path === b.paths[i]);
}
