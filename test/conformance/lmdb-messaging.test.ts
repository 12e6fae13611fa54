// The messaging engine behaviour on LMDB, in a temp dir per test.
import { ChannelStore } from '../../storage/channel-store.ts';
import { ClientMessageIds } from '../../storage/client-message-ids.ts';
import { LmdbMessaging } from '../../storage/lmdb-messaging.ts';
import { openLmdbStore, type LmdbStore } from '../../storage/lmdb-store.ts';
import { MailboxStore } from '../../storage/mailbox-store.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { messagingEngineBehaviour } from './messaging-engine-behaviour.ts';

describe('Messaging engine conformance: LMDB', () => {
  let dir: TempDir;
  let store: LmdbStore | null = null;

  const open = async () => {
    await store?.close();
    store = openLmdbStore({ path: dir.path });
    const clientIds = new ClientMessageIds(store);
    return new LmdbMessaging(new MailboxStore(store, clientIds), new ChannelStore(store, clientIds), clientIds);
  };

  messagingEngineBehaviour({
    openFresh: async () => {
      dir = makeTempDir('messaging-engine');
      return open();
    },
    openAgain: open,
    discard: async () => {
      await store?.close();
      store = null;
      dir.remove();
    },
    rememberAsOlderHub: async (sender, clientMsgId, answer) => {
      await store!.clientMessages.put([sender, clientMsgId], answer);
    },
  });
});
