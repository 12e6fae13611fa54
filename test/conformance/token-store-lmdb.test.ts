// The token store behaviour on LMDB: a real store in a temp dir per test.
import { openLmdbStore, type LmdbStore } from '../../storage/lmdb-store.ts';
import { LmdbTokenStore } from '../../storage/lmdb-token-store.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { tokenStoreBehaviour } from './token-store-behaviour.ts';

describe('Token store conformance: LMDB', () => {
  let dir: TempDir | null = null;
  let store: LmdbStore | null = null;

  const close = async () => {
    await store?.close();
    store = null;
  };

  tokenStoreBehaviour({
    openFresh: async (now) => {
      await close();
      dir?.remove();
      dir = makeTempDir('tokens');
      store = openLmdbStore({ path: dir.path });
      return LmdbTokenStore.open(store.tokens, store, now);
    },
    openAgain: async () => {
      store = openLmdbStore({ path: dir!.path });
      return LmdbTokenStore.open(store.tokens, store);
    },
    storedText: async () => JSON.stringify([...store!.tokens.getRange()]),
    close,
  });

  // After the suite's own afterEach has closed the store.
  afterEach(() => {
    dir?.remove();
    dir = null;
  });
});
