// Starts the hub: the supervision tree of runtime/root-supervisor.ts with real
// services behind it, and resolves once every child is ready.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { stateOf } from '../actors/agent-registry.ts';
import { indexTimersByActor } from '../actors/timers-by-actor.ts';
import { alerterActorLogic } from '../actors/alerter-actor.ts';
import { partitionIds } from '../actors/partitions.ts';
import { storageStats } from '../storage/storage-stats.ts';
import { supervisedActorHost } from '../actors/supervised-actor-host.ts';
import { supervisorMachine } from '../machines/supervisor-machine.ts';
import { ActorSnapshots } from '../storage/actor-snapshots.ts';
import { AgentDirectory } from '../storage/agent-directory.ts';
import { ChannelStore } from '../storage/channel-store.ts';
import { ClientMessageIds } from '../storage/client-message-ids.ts';
import { absorbCommitRejections } from '../storage/write-failure.ts';
import { openCheckedStore, recover, replacedDirOf } from '../storage/checked-open.ts';
import type { LmdbStore } from '../storage/lmdb-store.ts';
import { swapInBackup } from '../storage/restore.ts';
import { MailboxStore } from '../storage/mailbox-store.ts';
import { ApprovalStore } from '../storage/approval-store.ts';
import { SettingsStore } from '../storage/settings-store.ts';
import { TokenLedger } from '../storage/token-ledger.ts';
import { BreakerStore } from '../storage/breaker-store.ts';
import { LmdbTaskQueue } from '../storage/task-queue.ts';
import type { QueueEngine } from '../storage/queue-engine.ts';
import { JetStreamTaskQueue } from '../storage/jetstream/jetstream-queue.ts';
import { HubPresence } from '../storage/jetstream/hub-presence.ts';
import type { FeedEvents } from '../storage/jetstream/bucket-feed.ts';
import { viewOf } from '../actors/agent-registry.ts';
import { hostname } from 'node:os';
import type { AgentView } from '../storage/domain/agent-view.ts';
import { ScheduleStore } from '../storage/schedule-store.ts';
import type { MessagingEngine } from '../storage/messaging-engine.ts';
import { LmdbMessaging } from '../storage/lmdb-messaging.ts';
import { JetStreamMessaging } from '../storage/jetstream/jetstream-messaging.ts';
import type { TokenStore } from '../storage/token-store.ts';
import { LmdbTokenStore } from '../storage/lmdb-token-store.ts';
import { JetStreamTokenStore } from '../storage/jetstream/jetstream-token-store.ts';
import { startServer, type RunningServer } from '../web/server.ts';
import type { HubConfig } from './config.ts';
import { prepareDataDir, type PreparedDataDir } from './data-dir.ts';
import { durationMs } from './duration.ts';
import { Hub } from './hub/hub.ts';
import { defaultRegistrationMode, type RegistrationMode } from './enrollment.ts';
import { inspectorFor } from './inspector.ts';
import { metricsHistoryDefaults } from './metrics-history.ts';
import { MetricsRecorder } from './metrics-recorder.ts';
import { Observability } from './observability.ts';
import { startTelemetry, type Telemetry } from './telemetry.ts';
import type { Logger } from './logger.ts';
import { maintenanceService } from './maintenance.ts';
import { actorGroups, rootSupervisorInput } from './root-supervisor.ts';
import { ServiceChain } from './service-chain.ts';
import { TlsReloader, type ReloadOutcome } from './tls-reload.ts';
import { tlsSettingsFrom } from './tls-settings.ts';
import type { Result } from '../storage/domain/errors.ts';
import type { AgentOutboundFrame } from '../web/protocol/index.ts';
import { stableHubServices } from './hub/stable-hub-services.ts';
import { StorageOps } from './storage-ops.ts';
import { version } from './version.ts';

export interface StartHubOptions {
  config: HubConfig;
  logger: Logger;
  /** An operator-chosen admin token (AGENTCOM_ADMIN_TOKEN); otherwise one is created on first start. */
  adminToken?: string;
  /** Seconds since the newest good backup, once backups exist (issue 13a plugs its backups in here). */
  lastBackupAgeSeconds?: () => number | undefined;
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
  observability: Observability;
  root: Actor<typeof supervisorMachine>;
  /** What start found of the data dir: a first start, and a git checkout it sits in (`git clean -xdf` deletes it). */
  dataDir: Pick<PreparedDataDir, 'created' | 'insideCheckout'>;
  /** Backups, restore, compaction and health; lives as long as the process. */
  storageOps: StorageOps;
  stop(): Promise<void>;
  /** 'https' when the hub serves TLS. */
  scheme: 'http' | 'https';
  /** Set when the hub listens in clear text off loopback: a line for the operator. */
  clearTextWarning: string | null;
  /** Reads the certificate files again (SIGHUP); a no-op `unchanged` without TLS. */
  reloadTls(reason: string): Result<ReloadOutcome>;
}

interface Storage {
  store: LmdbStore;
  queue: QueueEngine;
  /** The other hubs of the cluster, on engine jetstream. */
  presence: HubPresence<AgentView> | null;
  tokens: TokenStore;
  settings: SettingsStore;
  directory: AgentDirectory;
  /** Mailboxes, channels and client ids: in the data dir, or on the NATS cluster with the queue. */
  messaging: MessagingEngine<AgentOutboundFrame>;
}

export async function startHub(options: StartHubOptions): Promise<RunningHub> {
  const { config, logger } = options;
  const log = logger.child({ module: 'boot' });
  // Checked before anything opens: a bad certificate or a refused clear-text listen touches no data.
  const tlsSettings = tlsSettingsFrom(config);
  if (!tlsSettings.ok) throw new Error(`${tlsSettings.code}: ${tlsSettings.detail}`);
  let tlsMaterial = tlsSettings.value.tls?.material;
  if (tlsSettings.value.warning) log.warning(tlsSettings.value.warning, { host: config.host });
  const storageOps = new StorageOps({
    dataDir: config.data_dir,
    backupDir: config.backup_dir,
    backupKeep: config.backup_keep,
    backupCompact: config.backup_compact,
    backupStagingDir: config.backup_staging_dir,
    backupWriteMbPerSecond: config.backup_write_mb_per_s,
    compactionThreshold: config.compaction_threshold,
    hubVersion: version,
    logger,
  });
  // The transport stays up through a restart of storage (an online restore): it holds these
  // forwarders, not a hub, and is suspended rather than closed (web/server.ts says why).
  const transportHub = stableHubServices();
  const currentHub = () => transportHub.current() ?? undefined;
  let storageRestarting = false;
  let adminToken: string | null = options.adminToken ?? null;
  let adminTokenCreated = false;

  // Before the tree: a supervised restart of storage must find the lock still this process's.
  const prepared = prepareDataDir(config.data_dir);
  if (!prepared.ok) throw Object.assign(new Error(`${prepared.code}: ${prepared.detail}`), { code: prepared.code });
  const { lock } = prepared.value;
  // A failed commit (disk full) leaves lmdb-js promises rejected with nobody listening: they must not end the hub.
  absorbCommitRejections((message, fields) => log.warning(message, fields));
  if (lock.tookOverFrom) log.warning('took over a stale data dir lock', { lock_file: lock.path, stale_pid: lock.tookOverFrom.pid });
  if (prepared.value.insideCheckout) {
    log.warning('data dir is inside a git checkout: `git clean -xdf` there deletes the queue', {
      data_dir: config.data_dir, checkout: prepared.value.insideCheckout,
    });
  }

  const intensity = 3;
  const periodMs = 5000;
  const withStorage = ServiceChain.empty().then('storage', {
    start: async (_before, { crash }): Promise<Storage> => {
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
      const { queue, presence, tokens } = await openQueueEngine(config, store, currentHub, log);
      const messaging = await openMessagingEngine(queue, presence, store, clientIds, config, log).catch(async (error: unknown) => {
        await presence?.stop();
        await tokens.close();
        await queue.close();
        throw error;
      });
      const storage: Storage = {
        store,
        queue,
        presence,
        tokens,
        settings: new SettingsStore(store),
        directory: new AgentDirectory(store),
        messaging,
      };
      if (!adminToken && !storage.tokens.list().some((record) => record.scope === 'admin')) {
        adminToken = (await storage.tokens.create({ scope: 'admin', name: 'first-start' })).token;
        adminTokenCreated = true;
      }
      storage.tokens.onRevokedElsewhere((agentId) => {
        currentHub()?.access.tokensRevokedElsewhere(agentId)
          .catch((error: unknown) => log.error('dropping an agent revoked elsewhere failed', { agent_id: agentId, error: String(error) }));
      });
      storageOps.restartStorage = (reason) => {
        storageRestarting = true;
        crash(new Error(`storage restart: ${reason}`));
      };
      storageOps.storageOpened(store, opened.value.recovery, opened.value.damaged);
      log.info('storage open', { data_dir: config.data_dir, ...storage.queue.stats().byStatus });
      return storage;
    },
    stop: async ({ queue, presence, store, tokens, messaging }) => {
      storageOps.storageClosed();
      await messaging.close();
      await presence?.stop();
      await tokens.close();
      await queue.close();
      // The LMDB engine closes the store it lives in; beside JetStream the store holds the rest.
      if (!(queue instanceof LmdbTaskQueue)) {
        await store.flushed();
        await store.close();
      }
      log.info('storage closed');
    },
  });
  const currentStorage = () => withStorage.current('storage');

  const withTelemetry = withStorage.child(...actorGroups(intensity, periodMs)).then('telemetry', {
    start: async (): Promise<{ telemetry: Telemetry; recorder: MetricsRecorder; observability: Observability }> => {
      const telemetry = startTelemetry(version);
      // Gauges read the storage and hub running at each collection: a restart replaces them.
      const recorder = new MetricsRecorder(telemetry.meter, {
        queuedByLane: () => {
          const lanes = currentStorage()?.queue.stats().queuedByPriority ?? {};
          return [lanes['0'] ?? 0, lanes['1'] ?? 0, lanes['2'] ?? 0, lanes['3'] ?? 0];
        },
        statusCounts: () => {
          const byStatus = currentStorage()?.queue.stats().byStatus;
          return {
            delayed: byStatus?.delayed ?? 0, assigned: byStatus?.assigned ?? 0, dead_letter: byStatus?.dead_letter ?? 0,
            awaiting_approval: byStatus?.awaiting_approval ?? 0,
          };
        },
        pendingQuestions: () => currentHub()?.approvals.pendingCount() ?? 0,
        agents: () => currentHub()?.agents.all() ?? [],
        stateOf,
        storage: () => {
          const storage = currentStorage();
          if (!storage) return null;
          const stats = storageStats(storage.store);
          return { sizeBytes: stats.file_size_bytes, freePages: stats.pages_free };
        },
        lastBackupAgeSeconds: () => options.lastBackupAgeSeconds?.(),
        supervisorRestarts: () => supervisorRestarts(root),
        leases: () => currentStorage()?.queue.leaseStats() ?? null,
      });
      const observability = new Observability({
        telemetry, recorder, hub: currentHub, settings: () => currentStorage()?.settings,
        alerter: () => root.system.get('alerter'), dataDir: config.data_dir, metricsPublic: config.metrics_public,
        recording: config.metrics_recording, approvalAlertAfterMs: config.approval_alert_after_ms,
      });
      if (telemetry.otlpEndpoint) log.info('exporting metrics over OTLP/HTTP', { endpoint: telemetry.otlpEndpoint });
      return { telemetry, recorder, observability };
    },
    stop: async ({ telemetry, recorder }) => {
      recorder.stop();
      await telemetry.shutdown();
    },
  });

  const withHub = withTelemetry.then('hub', {
    start: async ({ storage, telemetry: { recorder } }): Promise<Hub> => {
      const hub = new Hub({
        version,
        queue: storage.queue,
        tokens: storage.tokens,
        settings: storage.settings,
        actors: supervisedActorHost({ get: (systemId) => root.system.get(systemId) }),
        directory: storage.directory,
        snapshots: new ActorSnapshots(storage.store),
        storageSize: () => dataFileBytes(config.data_dir),
        storageWriteFault: () => storage.store.writeFaults.current(),
        retention: { completedMs: durationMs(config.retention_completed), deadLetterMs: durationMs(config.retention_dead_letter) },
        storageOps,
        logger,
        envAdminToken: options.adminToken,
        rateLimitsEnabled: config.rate_limits,
        registration: (config.registration as RegistrationMode | undefined) ?? defaultRegistrationMode(config.host),
        ...(storage.presence ? { cluster: storage.presence } : {}),
        timings: {
          acceptanceTimeoutMs: config.acceptance_timeout_ms,
          stuckAfterMs: config.stuck_after_ms,
          rejectRestMs: Math.min(5000, config.acceptance_timeout_ms),
        },
        scheduleStore: new ScheduleStore(storage.store),
        approvalStore: new ApprovalStore(storage.store),
        fleetControl: {
          breakerFailures: config.breaker_failures,
          breakerCooldownMs: config.breaker_cooldown_ms,
          noProgressAfterMs: config.no_progress_after_ms,
          providerLimits: config.provider_limits,
          dailyTokenBudgets: config.daily_token_budgets,
        },
        tokenLedger: new TokenLedger(storage.store),
        breakerStore: new BreakerStore(storage.store),
        messaging: {
          engine: storage.messaging,
          maxPayloadBytes: config.max_message_bytes,
          presenceMaxAgents: config.presence_max_agents,
        },
      });
      hub.resume(storage.directory.all());
      if (config.metrics_recording) hub.events.subscribe(recorder.observe);
      // A tripped breaker or a spent budget is worth an alert now, not at the next interval.
      hub.events.subscribe((event) => {
        if ((event.type === 'agent.blocked' && event.reason === 'breaker') || event.type === 'budget.exhausted') {
          root.system.get('alerter')?.send({ type: 'alerter.check_now' });
        }
      });
      transportHub.attach(hub);
      return hub;
    },
    stop: async (hub) => hub.stop(),
  });

  // Kept across a storage restart: suspended by the stop, resumed by the next start.
  let suspendedServer: RunningServer | null = null;
  const services = withHub
    .then('sweeps', {
      start: async ({ hub }) => {
        const timer = setInterval(() => hub.sweeper.run(config.stale_agent_ms), config.sweep_interval_ms);
        timer.unref();
        return timer;
      },
      stop: async (timer) => clearInterval(timer),
    })
    .then('transport', {
      start: async ({ telemetry: { observability } }): Promise<RunningServer> => {
        if (suspendedServer) {
          const server = suspendedServer;
          suspendedServer = null;
          storageRestarting = false;
          server.resume();
          return server;
        }
        const started = await startServer({
          host: config.host,
          port: config.port,
          hub: transportHub.services,
          logger,
          maxPayloadBytes: config.max_payload_bytes,
          allowJsFallback: config.allow_js_fallback,
          staticDir: fileURLToPath(new URL('../web/static/dist', import.meta.url)),
          observability,
          tls: tlsMaterial,
          limits: {
            identifyTimeoutMs: config.identify_timeout_ms,
            maxConnectionsPerIp: config.max_connections_per_ip,
            identifyAttemptsPerIpPerMin: config.identify_attempts_per_ip_per_min,
            maxInflightFrames: config.max_inflight_frames,
            trustProxy: config.trust_proxy,
            limitAdmins: config.rate_limit_admins,
            backpressureGraceMs: config.backpressure_grace_ms,
          },
        });
        if (!started.ok) throw new Error(`${started.code}: ${started.detail}`);
        return started;
      },
      stop: async (server) => {
        if (!storageRestarting) return server.close();
        server.suspend();
        suspendedServer = server;
      },
    })
    .then('metrics', {
      start: async ({ telemetry: { observability }, hub }) => {
        const tick = async () => {
          const snapshot = await observability.tick().catch((error: unknown) => {
            log.error('metrics snapshot failed', { error: String(error) });
            return null;
          });
          hub.dashboard.sampleMetrics(snapshot);
        };
        const timer = setInterval(() => void tick(), metricsHistoryDefaults.intervalMs);
        timer.unref();
        return timer;
      },
      stop: async (timer) => clearInterval(timer),
    })
    .then('maintenance', maintenanceService({
      backupSchedule: config.backup_schedule, compactionSchedule: config.compaction_schedule, storageOps, logger,
    }));
  const currentObservability = (): Observability => {
    const running = services.current('telemetry');
    if (!running) throw new Error('telemetry is not running');
    return running.observability;
  };

  const inspector = config.inspect ? inspectorFor(config.inspect_port, log) : undefined;
  const root: Actor<typeof supervisorMachine> = createActor(supervisorMachine, {
    systemId: 'root',
    inspect: inspector?.inspect,
    input: rootSupervisorInput({
      intensity,
      periodMs,
      children: services.children(),
      alerter: {
        logic: alerterActorLogic({
          gatherCheck: () => currentObservability().gatherCheck(),
          announce: (changes) => services.current('telemetry')?.observability.announce(changes),
        }),
        input: { firstCheckMs: config.alert_first_check_ms },
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
    // Before start: an actor stop then cancels only its own timers (actors/timers-by-actor.ts).
    indexTimersByActor(root.system);
    root.start();
  }).catch((error: unknown) => {
    lock.release();
    throw error;
  });

  const server = services.current('transport');
  const observability = services.current('telemetry')?.observability;
  if (!server || !observability) {
    lock.release();
    throw new Error('the tree reported running without its transport or telemetry');
  }
  const scheme = server.scheme;
  const url = `${scheme}://${config.host}:${server.port}`;
  const tlsFiles = tlsSettings.value.tls?.files;
  const tlsReloader = tlsFiles && tlsMaterial
    ? new TlsReloader(tlsFiles, tlsMaterial, (material) => {
      tlsMaterial = material;
      server.reloadTls(material);
    }, log)
    : null;
  tlsReloader?.watch();
  log.info('hub ready', { url, transport: server.transport, version });

  let stopping: Promise<void> | null = null;
  return {
    url,
    port: server.port,
    transport: server.transport,
    adminToken,
    adminTokenCreated,
    get hub() {
      const hub = transportHub.current();
      if (!hub) throw new Error('the hub service is not running');
      return hub;
    },
    observability,
    root,
    storageOps,
    dataDir: { created: prepared.value.created, insideCheckout: prepared.value.insideCheckout },
    stop: () => {
      tlsReloader?.stop();
      return (stopping ??= stopTree(root, inspector).then(() => lock.release()));
    },
    scheme,
    clearTextWarning: tlsSettings.value.warning,
    reloadTls: (reason) => tlsReloader?.reload(reason) ?? { ok: true, value: 'unchanged' },
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

/** Restarts so far under the root, and under each partitioned group (its partitions included). */
function supervisorRestarts(root: Actor<typeof supervisorMachine>): Record<string, number> {
  const restartsOf = (ref: AnyActorRef | undefined) => (ref?.getSnapshot().context as { restartCount?: number } | undefined)?.restartCount ?? 0;
  const group = (id: string) => restartsOf(root.system.get(id)) + partitionIds(id).reduce((sum, partition) => sum + restartsOf(root.system.get(partition)), 0);
  return { root: root.getSnapshot().context.restartCount, agents: group('agents'), tasks: group('tasks') };
}

function dataFileBytes(dataDir: string): number {
  try {
    return statSync(join(dataDir, 'data.mdb')).size;
  } catch {
    return 0;
  }
}

/**
 * The queue engine the config names: LMDB in the data dir's store, or JetStream on the NATS
 * cluster with the tokens beside it (the data dir's store then keeps settings, mailboxes and snapshots).
 */
async function openQueueEngine(
  config: HubConfig, store: LmdbStore, hub: () => Hub | undefined, log: Logger,
): Promise<{ queue: QueueEngine; presence: HubPresence<AgentView> | null; tokens: TokenStore }> {
  if (config.engine !== 'jetstream') return { queue: LmdbTaskQueue.onStore(store), presence: null, tokens: LmdbTokenStore.open(store.tokens, store) };
  const hubName = config.hub_name ?? `${hostname()}:${config.port || process.pid}`;
  const feedEvents = bucketFeedLog(log);
  const queue = await JetStreamTaskQueue.open({
    servers: config.nats_servers, replicas: config.nats_replicas, name: `agentcom-hub ${hubName}`, allowUnsafeServer: config.allow_unsafe_nats_server, feedEvents,
  });
  let tokens: JetStreamTokenStore | null = null;
  try {
    // Tokens live beside the queue, so an agent identifies on any hub of the cluster.
    tokens = await JetStreamTokenStore.open(queue.cluster.connection, { replicas: config.nats_replicas, feedEvents });
    const presence = await HubPresence.start<AgentView>(queue.cluster.hubs, {
      hubName,
      leaseMs: config.hub_lease_ms,
      localAgents: () => [...(hub()?.agents.all() ?? [])].filter((entry) => entry.link).map(viewOf),
      onError: (error) => log.warning('hub lease not renewed', { error: String(error) }),
      feedEvents,
    });
    log.info('queue on jetstream', { nats_servers: config.nats_servers, hub_name: hubName, replicas: config.nats_replicas });
    return { queue, presence, tokens };
  } catch (error) {
    await tokens?.close();
    await queue.close();
    throw error;
  }
}

/**
 * Messaging beside the queue: in the data dir on LMDB; on the queue's NATS cluster with
 * engine jetstream, so mailboxes and channels are the cluster's and pushes reach every hub.
 */
async function openMessagingEngine(
  queue: QueueEngine, presence: HubPresence<AgentView> | null, store: LmdbStore, clientIds: ClientMessageIds, config: HubConfig, log: Logger,
): Promise<MessagingEngine<AgentOutboundFrame>> {
  if (!(queue instanceof JetStreamTaskQueue) || !presence) {
    return new LmdbMessaging(new MailboxStore(store, clientIds), new ChannelStore(store, clientIds), clientIds);
  }
  return JetStreamMessaging.open({
    connection: queue.cluster.connection,
    hubName: presence.hubName,
    replicas: config.nats_replicas,
    onError: (message, error) => log.warning(message, { module: 'messaging', error: String(error) }),
    feedEvents: bucketFeedLog(log),
  });
}

/**
 * A bucket's change feed found stalled (its consumer was on a NATS node that died) and watched
 * again: a warning, as the hub's view of that bucket lagged meanwhile. A failed check is
 * expected while a stream elects a leader, so it is only debug.
 */
function bucketFeedLog(log: Logger): FeedEvents {
  return {
    onRestart: (bucket, fromRevision, reason) => log.warning('bucket feed stalled; watching it again', { code: 'AC_ERR_STORAGE', bucket, from_revision: fromRevision, reason }),
    onError: (bucket, message, error) => log.debug(message, { bucket, error: String(error) }),
  };
}
