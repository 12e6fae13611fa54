// A hub without its transport: real LMDB in a temp folder, the real agents and
// tasks supervisors, and in-memory agent links that record what the hub pushed. Each
// frame goes through the agent socket's serializer, so the suite's outbound frame check
// (test/support/outbound-frame-check.ts) sees these hubs' frames too, and a link records
// what an agent would read.
import { createActor, type Actor } from 'xstate';
import { supervisedActorHost } from '../../actors/supervised-actor-host.ts';
import { indexTimersByActor } from '../../actors/timers-by-actor.ts';
import { partitionIds } from '../../actors/partitions.ts';
import { dynamicSupervisorMachine } from '../../machines/dynamic-supervisor-machine.ts';
import { supervisorMachine } from '../../machines/supervisor-machine.ts';
import { Hub, type HubTimings } from '../../runtime/hub/hub.ts';
import { createLogger } from '../../runtime/logger.ts';
import { AgentDirectory } from '../../storage/agent-directory.ts';
import { ChannelStore } from '../../storage/channel-store.ts';
import { ClientMessageIds } from '../../storage/client-message-ids.ts';
import { ActorSnapshots } from '../../storage/actor-snapshots.ts';
import { openLmdbStore, type LmdbStore } from '../../storage/lmdb-store.ts';
import { MailboxStore } from '../../storage/mailbox-store.ts';
import { LmdbMessaging } from '../../storage/lmdb-messaging.ts';
import { SettingsStore } from '../../storage/settings-store.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { LmdbTokenStore } from '../../storage/lmdb-token-store.ts';
import type { AgentSocketLink } from '../../web/ports/agent-sessions-port.ts';
import { serializeFrame } from '../../web/frame-serializer.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

export interface RecordingLink extends AgentSocketLink {
  readonly sent: Array<Record<string, unknown>>;
  closed: { code: number; reason: string } | null;
  /** Resolves with the next pushed message of `type` (or one already received and not yet taken). */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

let nextLinkId = 1;

export function recordingLink(): RecordingLink {
  const taken = new Set<Record<string, unknown>>();
  const waiters: Array<{ type: string; resolve: (m: Record<string, unknown>) => void }> = [];
  const link: RecordingLink = {
    linkId: nextLinkId++,
    sent: [],
    closed: null,
    send(frame) {
      if (link.closed) return false;
      const message = JSON.parse(serializeFrame(frame)) as Record<string, unknown>;
      link.sent.push(message);
      const waiter = waiters.findIndex((w) => w.type === message.type);
      if (waiter >= 0) {
        taken.add(message);
        waiters.splice(waiter, 1)[0].resolve(message);
      }
      return true;
    },
    close(code, reason) {
      link.closed = { code, reason };
    },
    next(type, timeoutMs = 2000) {
      const ready = link.sent.find((m) => m.type === type && !taken.has(m));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ type, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      });
    },
  };
  return link;
}

export interface HubCore {
  hub: Hub;
  queue: LmdbTaskQueue;
  root: Actor<typeof supervisorMachine>;
  store: LmdbStore;
  snapshots: ActorSnapshots | undefined;
  dir: TempDir;
  stop(): Promise<void>;
}

export const fastTimings: HubTimings = { acceptanceTimeoutMs: 60_000, stuckAfterMs: 300_000, rejectRestMs: 1000 };

/** `keepSnapshots`: the hub keeps agent snapshots in the store (`core.snapshots`), as a started hub does. */
export function startHubCore(timings: Partial<HubTimings> = {}, options: { keepSnapshots?: boolean } = {}): HubCore {
  const dir = makeTempDir('hub');
  const store = openLmdbStore({ path: dir.path });
  const queue = LmdbTaskQueue.onStore(store);
  const clientIds = new ClientMessageIds(store);
  const snapshots = options.keepSnapshots ? new ActorSnapshots(store) : undefined;
  const root = createActor(supervisorMachine, {
    input: {
      strategy: 'one_for_one',
      children: [
        ...partitionIds('agents').map((id) => ({ id, restart: 'permanent' as const, logic: dynamicSupervisorMachine, input: {} })),
        ...partitionIds('tasks').map((id) => ({ id, restart: 'permanent' as const, logic: dynamicSupervisorMachine, input: {} })),
      ],
    },
  });
  indexTimersByActor(root.system);
  root.start();
  const hub = new Hub({
    version: 'test',
    queue,
    tokens: LmdbTokenStore.open(store.tokens, store),
    settings: new SettingsStore(store),
    directory: new AgentDirectory(store),
    actors: supervisedActorHost({ get: (id) => root.system.get(id) }),
    logger: createLogger('error'),
    timings: { ...fastTimings, ...timings },
    ...(snapshots ? { snapshots } : {}),
    messaging: { engine: new LmdbMessaging(new MailboxStore(store, clientIds), new ChannelStore(store, clientIds), clientIds), maxPayloadBytes: 64 * 1024, presenceMaxAgents: 1000 },
  });
  return {
    hub,
    queue,
    root,
    dir,
    store,
    snapshots,
    async stop() {
      hub.stop();
      root.stop();
      await queue.close();
      dir.remove();
    },
  };
}

/** Connects an agent with a recording link; returns the link. */
export function connect(hub: Hub, agentId: string, capabilities: string[] = []): RecordingLink {
  const link = recordingLink();
  hub.sessions.agentConnected({ agentId, name: agentId, status: 'connected', capabilities }, link);
  return link;
}
