// Starts the hub: the supervision tree of runtime/root-supervisor.ts with real
// services behind it, and resolves once every child is ready.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, type Actor } from 'xstate';
import { supervisedActorHost } from '../actors/supervised-actor-host.ts';
import { supervisorMachine } from '../machines/supervisor-machine.ts';
import { ActorSnapshots } from '../storage/actor-snapshots.ts';
import { AgentDirectory } from '../storage/agent-directory.ts';
import { ChannelStore } from '../storage/channel-store.ts';
import { ClientMessageIds } from '../storage/client-message-ids.ts';
import { openLmdbStore, type LmdbStore } from '../storage/lmdb-store.ts';
import { MailboxStore } from '../storage/mailbox-store.ts';
import { SettingsStore } from '../storage/settings-store.ts';
import { LmdbTaskQueue } from '../storage/task-queue.ts';
import { TokenStore } from '../storage/token-store.ts';
import { startServer } from '../web/server.ts';
import type { HubConfig } from './config.ts';
import { Hub } from './hub.ts';
import { inspectorFor } from './inspector.ts';
import { metricsHistoryDefaults } from './metrics-history.ts';
import type { Logger } from './logger.ts';
import { rootSupervisorInput } from './root-supervisor.ts';
import { version } from './version.ts';

export interface StartHubOptions {
  config: HubConfig;
  logger: Logger;
  /** An operator-chosen admin token (AGENTCOM_ADMIN_TOKEN); otherwise one is created on first start. */
  adminToken?: string;
}

export interface RunningHub {
  url: string;
  port: number;
  transport: 'native' | 'js-fallback';
  /** The admin token when it is known to this process: set by the operator or created by this start. */
  adminToken: string | null;
  /** True when this start created the admin token (print it once). */
  adminTokenCreated: boolean;
  hub: Hub;
  root: Actor<typeof supervisorMachine>;
  stop(): Promise<void>;
}

interface Storage {
  store: LmdbStore;
  queue: LmdbTaskQueue;
  tokens: TokenStore;
  settings: SettingsStore;
  directory: AgentDirectory;
  mailbox: MailboxStore;
  channels: ChannelStore;
  clientIds: ClientMessageIds;
}

export async function startHub(options: StartHubOptions): Promise<RunningHub> {
  const { config, logger } = options;
  const log = logger.child({ module: 'boot' });
  // Filled in by each service as it starts; later services read what earlier ones made.
  const live: { storage?: Storage; hub?: Hub; server?: Awaited<ReturnType<typeof startServer>> & { ok: true } } = {};
  let adminToken: string | null = options.adminToken ?? null;
  let adminTokenCreated = false;

  const inspector = config.inspect ? inspectorFor(config.inspect_port, log) : undefined;
  const root: Actor<typeof supervisorMachine> = createActor(supervisorMachine, {
    systemId: 'root',
    inspect: inspector?.inspect,
    input: rootSupervisorInput({
      intensity: 3,
      periodMs: 5000,
      services: {
        storage: {
          id: 'storage',
          start: async () => {
            const store = openLmdbStore({ path: config.data_dir });
            const clientIds = new ClientMessageIds(store);
            const storage: Storage = {
              store,
              queue: LmdbTaskQueue.onStore(store),
              tokens: TokenStore.open(store.tokens, () => store.flushed()),
              settings: new SettingsStore(store),
              directory: new AgentDirectory(store),
              mailbox: new MailboxStore(store, clientIds),
              channels: new ChannelStore(store, clientIds),
              clientIds,
            };
            if (!adminToken && !storage.tokens.list().some((record) => record.scope === 'admin')) {
              adminToken = (await storage.tokens.create({ scope: 'admin', name: 'first-start' })).token;
              adminTokenCreated = true;
            }
            live.storage = storage;
            log.info('storage open', { data_dir: config.data_dir, ...storage.queue.stats().byStatus });
            return storage;
          },
          stop: async (storage) => {
            await (storage as Storage).queue.close();
            log.info('storage closed');
          },
        },
        hub: {
          id: 'hub',
          start: async (): Promise<Hub> => {
            const storage = live.storage!;
            const hub = new Hub({
              version,
              queue: storage.queue,
              tokens: storage.tokens,
              settings: storage.settings,
              actors: supervisedActorHost({ get: (systemId) => root.system.get(systemId) }),
              directory: storage.directory,
              snapshots: new ActorSnapshots(storage.store),
              storageSize: () => dataFileBytes(config.data_dir),
              logger,
              envAdminToken: options.adminToken,
              timings: {
                acceptanceTimeoutMs: config.acceptance_timeout_ms,
                stuckAfterMs: config.stuck_after_ms,
                rejectRestMs: Math.min(5000, config.acceptance_timeout_ms),
              },
              messaging: {
                mailbox: storage.mailbox,
                channels: storage.channels,
                clientIds: storage.clientIds,
                maxPayloadBytes: config.max_message_bytes,
                presenceMaxAgents: config.presence_max_agents,
              },
            });
            hub.resume(storage.directory.all());
            live.hub = hub;
            return hub;
          },
          stop: async (hub) => (hub as Hub).stop(),
        },
        sweeps: {
          id: 'sweeps',
          start: async () => {
            const timer = setInterval(() => live.hub?.sweep(config.stale_agent_ms), config.sweep_interval_ms);
            timer.unref();
            return timer;
          },
          stop: async (timer) => clearInterval(timer as NodeJS.Timeout),
        },
        transport: {
          id: 'transport',
          start: async () => {
            const started = await startServer({
              host: config.host,
              port: config.port,
              hub: live.hub!,
              logger,
              maxPayloadBytes: config.max_payload_bytes,
              allowJsFallback: config.allow_js_fallback,
              staticDir: fileURLToPath(new URL('../web/static/dist', import.meta.url)),
            });
            if (!started.ok) throw new Error(`${started.code}: ${started.detail}`);
            live.server = started;
            live.hub!.transport = started.transport;
            return started;
          },
          stop: async (server) => (server as { close(): Promise<void> }).close(),
        },
        metrics: {
          id: 'metrics',
          start: async () => {
            const timer = setInterval(() => live.hub?.sampleMetrics(), metricsHistoryDefaults.intervalMs);
            timer.unref();
            return timer;
          },
          stop: async (timer) => clearInterval(timer as NodeJS.Timeout),
        },
      },
    }),
  });

  await new Promise<void>((resolve, reject) => {
    const subscription = root.subscribe({
      next: (snapshot) => {
        if (snapshot.matches('running')) {
          subscription.unsubscribe();
          resolve();
        }
      },
      error: (error) => reject(error),
    });
    root.start();
  });

  const server = live.server!;
  const url = `http://${config.host}:${server.port}`;
  log.info('hub ready', { url, transport: server.transport, version });

  let stopping: Promise<void> | null = null;
  return {
    url,
    port: server.port,
    transport: server.transport,
    adminToken,
    adminTokenCreated,
    hub: live.hub!,
    root,
    stop: () => (stopping ??= stopTree(root, inspector)),
  };
}

/** Stops children in reverse start order and waits for the tree to finish. */
function stopTree(root: Actor<typeof supervisorMachine>, inspector: { stop(): void } | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      inspector?.stop();
      resolve();
    };
    if (root.getSnapshot().status !== 'active') return done();
    root.subscribe({ complete: done, error: done });
    root.send({ type: 'supervisor.stop' });
  });
}

function dataFileBytes(dataDir: string): number {
  try {
    return statSync(join(dataDir, 'data.mdb')).size;
  } catch {
    return 0;
  }
}
