// The hub: composes the role services over the durable queue and the agent and task
// actors. Each role lives in a file of its own in this folder and implements the port
// web/ consumes (web/ports/*): access, agent sessions, tasks, task reports, approvals,
// fleet, runtime config, dashboard state; the sweep is the `sweeps` service's pass.
//
// The order of every flow is the same: persist (the queue fences and commits),
// then tell the machines, then tell the world. An agent's report is acknowledged
// only once its change is on disk, and a machine never runs ahead of storage.
import { agentActorLogic } from '../../actors/agent-actor.ts';
import { AgentActors } from '../../actors/agent-actors.ts';
import type { ActorSnapshots } from '../../storage/actor-snapshots.ts';
import type { ActorHost } from '../../actors/actor-host.ts';
import { AgentRegistry, stateOf } from '../../actors/agent-registry.ts';
import { Scheduler } from '../../actors/scheduler.ts';
import { TaskDispatch } from '../../actors/task-dispatch.ts';
import type { QueueEngine } from '../../storage/queue-engine.ts';
import type { AgentDirectory, KnownAgent } from '../../storage/agent-directory.ts';
import type { SettingsStore } from '../../storage/settings-store.ts';
import type { TokenStore } from '../../storage/token-store.ts';
import type { ScheduleStore } from '../../storage/schedule-store.ts';
import type { ApprovalStore } from '../../storage/approval-store.ts';
import type { TokenLedger } from '../../storage/token-ledger.ts';
import type { BreakerStore } from '../../storage/breaker-store.ts';
import type { StoragePort } from '../../web/storage-port.ts';
import type { StorageWriteFault } from '../../web/ports/dashboard-port.ts';
import type { HubAbout, HubServices } from '../../web/ports/hub-services.ts';
import type { AgentOutboundFrame } from '../../web/protocol/index.ts';
import { RateLimiter, type RateLimitSettings } from '../../web/rate-limits/rate-limiter.ts';
import { eventLog } from '../event-log.ts';
import { HubEvents } from '../hub-events.ts';
import { Messaging, type MessagingStores } from '../messaging.ts';
import { MetricsHistory, metricsHistoryDefaults } from '../metrics-history.ts';
import type { Logger } from '../logger.ts';
import { RetentionSweeper, type RetentionPolicy } from '../retention-sweeper.ts';
import { Schedules } from '../schedules.ts';
import { Enrollment, type RegistrationMode } from '../enrollment.ts';
import { Approvals } from '../approvals.ts';
import { defaultFleetControlSettings, FleetControl, type FleetControlSettings } from '../fleet-control.ts';
import type { ClusterPresence } from '../cluster-presence.ts';
import { clusterAgentFeed } from '../cluster-agent-feed.ts';
import { Access } from './access.ts';
import { AgentSessions } from './agent-sessions.ts';
import { ApprovalService } from './approval-service.ts';
import { DashboardState } from './dashboard-state.ts';
import { FleetService } from './fleet-service.ts';
import type { HubContext, HubTimings } from './hub-context.ts';
import { HubSweep } from './hub-sweep.ts';
import { RuntimeConfig } from './runtime-config.ts';
import { TaskReports } from './task-reports.ts';
import { TaskService } from './task-service.ts';

export type { HubTimings } from './hub-context.ts';

export interface HubDeps {
  version: string;
  queue: QueueEngine;
  tokens: TokenStore;
  /** An operator-set admin token (AGENTCOM_ADMIN_TOKEN); kept in memory only, compared in constant time. */
  envAdminToken?: string;
  settings: SettingsStore;
  directory: AgentDirectory;
  actors: ActorHost;
  logger: Logger;
  timings: HubTimings;
  /** Bytes the data file takes on disk, for the dashboard's storage health. */
  storageSize?: () => number;
  /** The last write the store could not commit (disk or map full), until one succeeds. */
  storageWriteFault?: () => StorageWriteFault | null;
  /** How long finished tasks and dead letters are kept; swept with each safety-net pass. None: kept forever. */
  retention?: RetentionPolicy;
  /** Backups, restore, compaction and storage health (runtime/storage-ops.ts). */
  storageOps?: StoragePort;
  messaging: MessagingStores;
  /** Recurring tasks; without it the schedules API answers not implemented. */
  scheduleStore?: ScheduleStore;
  /** Agent snapshots and metrics samples kept across restarts; without it they start empty. */
  snapshots?: ActorSnapshots;
  now?: () => number;
  /** Token buckets on (config `rate_limits`); off in a few benches that measure raw throughput. */
  rateLimitsEnabled?: boolean;
  /** Who may register agents (config `registration`, resolved at boot); open when not given. */
  registration?: RegistrationMode;
  /** Agents' questions mid-task; without it approval_request is refused as not implemented. */
  approvalStore?: ApprovalStore;
  /** Fleet control (budgets, breakers, provider quotas); defaults when not given. */
  fleetControl?: Partial<FleetControlSettings>;
  /** Daily token usage (LMDB); without it daily budgets are off. */
  tokenLedger?: TokenLedger;
  /** Breaker state (LMDB); without it a restart forgets breakers and parked agents. */
  breakerStore?: BreakerStore;
  /** The other hubs on one JetStream cluster (engine `jetstream`); none on LMDB. */
  cluster?: ClusterPresence;
}

const rateLimitsKey = 'rate_limits';

export class Hub implements HubServices {
  readonly about: HubAbout;
  readonly startedAt: number;
  readonly agents = new AgentRegistry<AgentOutboundFrame>();
  readonly events = new HubEvents();
  readonly scheduler: Scheduler;
  readonly metrics: MetricsHistory;
  readonly messaging: Messaging;
  readonly schedules: Schedules | null;
  readonly rateLimiter: RateLimiter;
  readonly storage: StoragePort | null;
  /** Breakers, parking, budgets and provider quotas, as the scheduler and the alerter use them. */
  readonly fleetControl: FleetControl;

  // --- the role services (web/ports/*) ---------------------------------------------
  readonly access: Access;
  readonly sessions: AgentSessions;
  readonly tasks: TaskService;
  readonly reports: TaskReports;
  readonly approvals: ApprovalService;
  readonly fleet: FleetService;
  readonly config: RuntimeConfig;
  readonly dashboard: DashboardState;
  /** The safety-net pass the `sweeps` service runs. */
  readonly sweeper: HubSweep;

  private readonly dispatch: TaskDispatch;
  private readonly agentActors: AgentActors<AgentOutboundFrame>;
  /** Agents' questions and their answers (runtime/approvals.ts); null without an approval store. */
  private readonly questions: Approvals | null;
  private readonly unsubscribeStorage: () => void;
  private readonly stopClusterFeed: () => void;

  constructor(private readonly deps: HubDeps) {
    this.storage = deps.storageOps ?? null;
    this.unsubscribeStorage = this.storage?.onEvent((frame) => this.events.emit('storage.reported', frame.timestamp, { frame })) ?? (() => {});
    const now = deps.now ?? Date.now;
    this.startedAt = now();
    const hub = this;
    this.about = { version: deps.version, get startedAt() { return hub.startedAt; } };
    const log = deps.logger.child({ module: 'hub' });
    this.dispatch = new TaskDispatch({
      host: deps.actors, queue: deps.queue, agents: this.agents, events: this.events, log,
      stuckAfterMs: deps.timings.stuckAfterMs, now, offer: (task) => this.scheduler.taskAvailable(task),
      heldElsewhere: (agentId) => this.sessions.heldElsewhere(agentId),
    });
    this.fleetControl = new FleetControl({
      settings: { ...defaultFleetControlSettings, ...deps.fleetControl }, queue: deps.queue, agents: this.agents, events: this.events,
      log, now, store: deps.settings, ledger: deps.tokenLedger, breakerStore: deps.breakerStore,
      dispatch: () => this.dispatch, offerWork: () => this.scheduler.pass(),
    });
    this.agentActors = new AgentActors({
      host: deps.actors, registry: this.agents, queue: deps.queue, events: this.events, log,
      acceptanceTimeoutMs: deps.timings.acceptanceTimeoutMs, now,
      storedSnapshot: (systemId) => deps.snapshots?.get(systemId),
      ...(deps.snapshots ? { keepSnapshot: deps.snapshots.put.bind(deps.snapshots) } : {}),
      breaker: this.fleetControl.breakerSettings(),
      logic: agentActorLogic({
        reclaim: (agentId, task, reason) => void this.dispatch.reclaim(task.taskId, reason, task.generation, agentId),
        idle: (agentId) => queueMicrotask(() => this.scheduler.agentIdle(agentId)),
        resume: (agentId, task) => this.fleetControl.resume(agentId, task),
      }),
    });
    this.metrics = new MetricsHistory({
      queuedByLane: () => {
        const lanes = deps.queue.stats().queuedByPriority;
        return [lanes['0'] ?? 0, lanes['1'] ?? 0, lanes['2'] ?? 0, lanes['3'] ?? 0];
      },
      agentCounts: () => {
        let connected = 0;
        let busy = 0;
        for (const entry of this.agents.all()) {
          if (!entry.link) continue;
          connected += 1;
          if (stateOf(entry) !== 'idle') busy += 1;
        }
        return { connected, busy };
      },
    });
    this.events.subscribe((event) => this.metrics.observe(event));
    this.events.subscribe(eventLog(log));
    if (deps.snapshots) this.metrics.restore(deps.snapshots.samplesSince(this.startedAt - metricsHistoryDefaults.intervalMs * metricsHistoryDefaults.samples));
    this.messaging = new Messaging({
      ...deps.messaging, settings: deps.settings, agents: this.agents, events: this.events, logger: deps.logger, now,
      connectedElsewhere: (agentId) => !!deps.cluster?.hubOf(agentId),
    });
    const cluster = deps.cluster;
    if (cluster) this.events.subscribe((event) => {
      if (event.type.startsWith('agent.')) cluster.changed();
    });
    this.stopClusterFeed = cluster ? clusterAgentFeed(cluster, this.agents, this.events, now) : () => {};
    this.questions = deps.approvalStore
      ? new Approvals({ store: deps.approvalStore, queue: deps.queue, agents: this.agents, events: this.events, log, now })
      : null;
    this.rateLimiter = new RateLimiter({
      enabled: deps.rateLimitsEnabled ?? true,
      now,
      settings: deps.settings.get<RateLimitSettings>(rateLimitsKey),
      persist: (settings) => deps.settings.set(rateLimitsKey, settings),
      onDenied: (denial) => this.sessions.rateLimitDenied(denial),
    });
    this.scheduler = new Scheduler({
      queue: deps.queue,
      agents: this.agents,
      now,
      deliver: (entry, task) => this.dispatch.deliver(entry, task),
      onError: (error) => log.error('scheduling failed', { error: String(error) }),
      mayDispatch: (entry, at) => this.fleetControl.mayDispatch(entry, at),
    });

    const ctx: HubContext = {
      queue: deps.queue, agents: this.agents, agentActors: this.agentActors, dispatch: this.dispatch, scheduler: this.scheduler,
      fleet: this.fleetControl, events: this.events, log, now, timings: deps.timings,
      ...(deps.snapshots ? { snapshots: deps.snapshots } : {}),
      ...(cluster ? { cluster } : {}),
    };
    const retention = deps.retention ? new RetentionSweeper(deps.queue, deps.retention, log, now) : null;
    this.sessions = new AgentSessions(ctx, { directory: deps.directory, messaging: this.messaging, approvals: this.questions });
    this.tasks = new TaskService(ctx, { storage: this.storage, retention });
    this.reports = new TaskReports(ctx);
    this.approvals = new ApprovalService(ctx, this.questions, this.tasks);
    this.fleet = new FleetService(this.fleetControl, this.sessions);
    this.access = new Access({
      tokens: deps.tokens, envAdminToken: deps.envAdminToken ?? null, enrollment: new Enrollment(deps.registration ?? 'open', deps.settings, now),
      sessions: this.sessions, log,
    });
    this.config = new RuntimeConfig(deps.settings, deps.logger);
    this.dashboard = new DashboardState({
      about: this.about, agents: this.agents, sessions: this.sessions, tasks: this.tasks, approvals: this.approvals, fleet: this.fleetControl,
      metrics: this.metrics, events: this.events, rateLimiter: this.rateLimiter, storage: this.storage, now,
      ...(deps.cluster ? { hubName: deps.cluster.hubName } : {}),
      ...(deps.storageSize ? { storageSize: deps.storageSize } : {}),
      ...(deps.storageWriteFault ? { storageWriteFault: deps.storageWriteFault } : {}),
      ...(deps.snapshots ? { snapshots: deps.snapshots } : {}),
    });
    this.sweeper = new HubSweep(ctx, {
      rateLimiter: this.rateLimiter, retention, questions: this.questions, questionsKeptMs: deps.retention?.completedMs ?? null,
      startedAt: () => this.startedAt,
    });
    this.schedules = deps.scheduleStore
      ? new Schedules({ store: deps.scheduleStore, submit: (body, by) => this.tasks.submitTask(body, by), now, log })
      : null;
    deps.queue.onDependentsSettled((tasks) => this.tasks.dependentsSettled(tasks));
    deps.queue.onLeaseWaitersFreed((freed) => this.tasks.leaseWaitersFreed(freed));
    deps.queue.onRemoteChange((task) => this.tasks.remoteTaskChanged(task));
  }

  /** Restores in-flight work after a restart: task actors for assigned tasks, delayed-task timer. */
  resume(knownAgents: KnownAgent[]): void {
    for (const agent of knownAgents) {
      const entry = this.agentActors.ensure({ agentId: agent.agentId, name: agent.name, capabilities: agent.capabilities, status: 'offline' });
      this.agents.seen(entry, agent.lastSeen);
    }
    for (const task of this.deps.queue.assigned()) if (!this.sessions.heldElsewhere(task.assigned_to ?? '')) this.dispatch.startActor(task);
    this.fleetControl.resumeParked();
    this.dispatch.armDelayTimer();
    this.schedules?.start();
    this.questions?.reconcile().catch((error: unknown) => this.deps.logger.child({ module: 'hub' }).error('closing the questions of ended tasks failed', { code: 'AC_ERR_INTERNAL', error: String(error) }));
  }

  stop(): void {
    this.questions?.stop();
    this.schedules?.stop();
    this.unsubscribeStorage();
    this.scheduler.stop();
    this.messaging.stop();
    this.stopClusterFeed();
    this.dispatch.stop();
    this.fleetControl.stop();
  }
}
