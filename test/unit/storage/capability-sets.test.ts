import { expect } from 'chai';
import { CapabilitySets } from '../../../storage/capability-sets.ts';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

// matching() hands out its cached array: sort a copy.
const sorted = (ids: readonly number[]) => [...ids].sort((a, b) => a - b);

describe('CapabilitySets', () => {
  let dir: TempDir;
  let store: LmdbStore;

  beforeEach(() => {
    dir = makeTempDir('capability-sets');
    store = openLmdbStore({ path: dir.path });
  });

  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  /** Registers sets the way the queue does: inside a write transaction, persisted with the change. */
  async function register(sets: CapabilitySets, ...capLists: string[][]): Promise<number[]> {
    const ids = await store.root.transaction(() =>
      capLists.map((caps) => sets.idOf(caps, (id, stored) => void store.capsets.put(id, stored))));
    await store.flushed();
    return ids;
  }

  async function reopen(): Promise<CapabilitySets> {
    await store.close();
    store = openLmdbStore({ path: dir.path });
    return CapabilitySets.load(store.capsets);
  }

  describe('idOf', () => {
    it('gives each distinct set the next id and the same set the same id', async () => {
      const sets = CapabilitySets.load(store.capsets);
      const ids = await register(sets, [], ['git'], ['git', 'rust'], ['git'], []);
      expect(ids).to.deep.equal([0, 1, 2, 1, 0]);
      expect(sets.size).to.equal(3);
    });

    it('persists a set only the first time it is seen', () => {
      const sets = CapabilitySets.load(store.capsets);
      const persisted: Array<[number, string[]]> = [];
      const persist = (id: number, caps: string[]) => void persisted.push([id, caps]);
      sets.idOf(['git'], persist);
      sets.idOf(['git'], persist);
      sets.idOf(['rust'], persist);
      expect(persisted).to.deep.equal([[0, ['git']], [1, ['rust']]]);
    });

    it('keeps sets apart whose names would collide if joined', () => {
      const sets = CapabilitySets.load(store.capsets);
      const persist = () => undefined;
      const joined = sets.idOf(['a,b'], persist);
      const split = sets.idOf(['a', 'b'], persist);
      const quoted = sets.idOf(['a","b'], persist);
      expect(new Set([joined, split, quoted]).size).to.equal(3);
    });

    it('stores its own copy, so later changes to the caller\'s array do not leak in', () => {
      const sets = CapabilitySets.load(store.capsets);
      const caps = ['git'];
      const id = sets.idOf(caps, () => undefined);
      caps.push('gpu');
      expect(sets.matching(['git'])).to.deep.equal([id]);
    });
  });

  describe('matching', () => {
    it('returns the sets whose every capability the agent has', async () => {
      const sets = CapabilitySets.load(store.capsets);
      const [none, git, gitRust, gpu] = await register(sets, [], ['git'], ['git', 'rust'], ['gpu']);
      expect(sorted(sets.matching(['git']))).to.deep.equal([none, git]);
      expect(sorted(sets.matching(['rust', 'git']))).to.deep.equal([none, git, gitRust]);
      expect(sorted(sets.matching(['gpu', 'git', 'rust']))).to.deep.equal([none, git, gitRust, gpu]);
    });

    it('matches the empty set for an agent with no capabilities at all', async () => {
      const sets = CapabilitySets.load(store.capsets);
      const [none] = await register(sets, [], ['git']);
      expect(sets.matching([])).to.deep.equal([none]);
    });

    it('compares names exactly, with no case folding, trimming or prefixes', async () => {
      const sets = CapabilitySets.load(store.capsets);
      await register(sets, ['rust']);
      expect(sets.matching(['Rust'])).to.deep.equal([]);
      expect(sets.matching([' rust'])).to.deep.equal([]);
      expect(sets.matching(['rus', 'rust-nightly'])).to.deep.equal([]);
    });

    it('gives the same answer whatever the order of or repeats in the agent\'s list', async () => {
      const sets = CapabilitySets.load(store.capsets);
      await register(sets, ['git', 'rust'], ['rust']);
      expect(sorted(sets.matching(['rust', 'git']))).to.deep.equal(sorted(sets.matching(['git', 'rust', 'git'])));
    });

    it('includes a set registered after the same agent list was matched before', async () => {
      const sets = CapabilitySets.load(store.capsets);
      const [git] = await register(sets, ['git']);
      expect(sets.matching(['git', 'rust'])).to.deep.equal([git]);
      const [rust] = await register(sets, ['rust']);
      expect(sorted(sets.matching(['git', 'rust']))).to.deep.equal([git, rust]);
    });
  });

  describe('persistence', () => {
    it('loads the same ids for the same sets after a reopen', async () => {
      const first = CapabilitySets.load(store.capsets);
      const [none, git, gitRust] = await register(first, [], ['git'], ['git', 'rust']);
      const loaded = await reopen();
      expect(loaded.size).to.equal(3);
      const again = await register(loaded, ['git', 'rust'], ['git'], []);
      expect(again).to.deep.equal([gitRust, git, none]);
      expect(sorted(loaded.matching(['git']))).to.deep.equal([none, git]);
    });

    it('gives a new set after a reopen an id no earlier set has', async () => {
      await register(CapabilitySets.load(store.capsets), ['a'], ['b'], ['c']);
      const loaded = await reopen();
      const [fresh] = await register(loaded, ['d']);
      expect(fresh).to.equal(3);
      expect(loaded.matching(['d'])).to.deep.equal([fresh]);
    });

    it('writes each set under its id in the capsets database', async () => {
      await register(CapabilitySets.load(store.capsets), ['git'], ['git', 'rust']);
      expect([...store.capsets.getRange()].map(({ key, value }) => [key, value])).to.deep.equal([[0, ['git']], [1, ['git', 'rust']]]);
    });
  });
});
