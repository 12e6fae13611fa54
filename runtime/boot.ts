// Starts the hub: the supervision tree of runtime/root-supervisor.ts with real
// services behind it, and resolves once every child is ready.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, type Actor } from 'xstate';
import { supervisedActorHost } from '../actors/supervised-actor-host.ts';
import { supervisorMachine } from '../machines/supervisor-machine.ts';
import { AgentDirectory } from '../storage/agent-directory.ts';
import { ChannelStore } from '../storage/channel-store.ts';
import { ClientMessageIds } from '../storage/client-message-ids.ts';
import { openCheckedStore, recover, replacedDirOf } from '../storage/checked-open.ts';
import type { LmdbStore } from '../storage/lmdb-store.ts';
import { swapInBackup } from '../storage/restore.ts';
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
import { maintenanceService } from './maintenance.ts';
import { rootSupervisorInput } from './root-supervisor.ts';
import { stableHubPort } from './stable-hub-port.ts';
import { StorageOps } from './storage-ops.ts';
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
  /** Backups, restore, compaction and health; lives as long as the process. */
  storageOps: StorageOps;
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
  const storageOps = new StorageOps({
    dataDir: config.data_dir,
    backupDir: config.backup_dir,
    backupKeep: config.backup_keep,
    backupCompact: config.backup_compact,
    compactionThreshold: config.compaction_threshold,
    hubVersion: version,
    logger,
  });
  // The transport stays up through a restart of storage (an online restore): it holds this
  // forwarder, not a hub, and is suspended rather than closed (web/server.ts says why).
  const transportHub = stableHubPort(() => live.hub!);
  let storageRestarting = false;
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
          start: async ({ crash }) => {
            const checkedOpen = { dataDir: config.data_dir, backupDir: config.backup_dir, recoverEmpty: config.recover_empty };
            const pending = storageOps.takePendingOpen();
            if (pending?.kind === 'restore') {
              const swapped = swapInBackup(config.data_dir, pending.backup, replacedDirOf(config.backup_dir), Date.now());
              if (!swapped.ok) storageOps.restoreFailed(swapped.detail);
            }
            const opened = pending?.kind === 'recover' ? await recover(checkedOpen, pending.reason, Date.now) : await openCheckedStore(checkedOpen);
            if (!opened.ok) throw new Error(`${opened.code}: ${opened.detail}`);
            const store = opened.value.store;
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
            storageOps.restartStorage = (reason) => {
              storageRestarting = true;
              crash(new Error(`storage restart: ${reason}`));
            };
            storageOps.storageOpened(store, opened.value.recovery);
            log.info('storage open', { data_dir: config.data_dir, ...storage.queue.stats().byStatus });
            return storage;
          },
          stop: async (storage) => {
            storageOps.storageClosed();
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
              storageSize: () => dataFileBytes(config.data_dir),
              storageOps,
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
            transportHub.attach(hub);
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
            if (live.server && storageRestarting) {
              storageRestarting = false;
              live.server.resume();
              live.hub!.transport = live.server.transport;
              return live.server;
            }
            const started = await startServer({
              host: config.host,
              port: config.port,
              hub: transportHub.port,
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
          stop: async (server) => {
            const running = server as { close(): Promise<void>; suspend(): void };
            if (storageRestarting) running.suspend();
            else await running.close();
          },
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
        maintenance: maintenanceService({
          backupSchedule: config.backup_schedule, compactionSchedule: config.compaction_schedule, storageOps, logger,
        }),
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
    get hub() {
      return live.hub!;
    },
    root,
    storageOps,
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
