// The hub: implements HubPort over the durable queue and the agent and task actors.
//
// The order of every flow is the same: persist (the queue fences and commits),
// then tell the machines, then tell the world. An agent's report is acknowledged
// only once its change is on disk, and a machine never runs ahead of storage.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AnyActorLogic } from 'xstate';
import { agentActorLogic, persistedAfter } from '../actors/agent-actor.ts';
import { AgentActors, agentSystemId } from '../actors/agent-actors.ts';
import type { ActorSnapshots } from '../storage/actor-snapshots.ts';
import type { ActorHost } from '../actors/actor-host.ts';
import { AgentRegistry, stateOf, viewOf } from '../actors/agent-registry.ts';
import { Scheduler } from '../actors/scheduler.ts';
import { TaskDispatch } from '../actors/task-dispatch.ts';
import type { QueueEngine, Report, TaskPage } from '../storage/queue-engine.ts';
import type { AgentDirectory, KnownAgent } from '../storage/agent-directory.ts';
import type { SettingsStore } from '../storage/settings-store.ts';
import type { TokenRecord, TokenStore } from '../storage/token-store.ts';
import { toWireTask, type TaskRecord } from '../storage/task-record.ts';
import { checkReport } from '../storage/report-fencing.ts';
import type { StoragePort } from '../web/storage-port.ts';
import type {
  AgentIdentity, AgentLink, AgentView, ApprovalList, ApprovalListStatus, ApprovalView, BulkOutcome, HubEvent, HubPort, LeaseAcquireAnswer, Principal, RecoveryAnswer,
  StorageWriteFault, TaskLinks,
  TaskListPage, TaskListQuery, TaskReport, TaskStatsView, TokenInfo,
} from '../web/hub-port.ts';
import type { Task } from '../storage/domain/task.ts';
import type { TaskSubmit } from '../web/protocol/task.ts';
import type { LeaseAcquire } from '../web/protocol/path-leases.ts';
import type { LeaseWait, PathLease } from '../storage/path-lease-table.ts';
import { RateLimiter, type RateLimitDenial, type RateLimitSettings } from '../web/rate-limits/rate-limiter.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import { eventLog } from './event-log.ts';
import { HubEvents } from './hub-events.ts';
import { Messaging, type MessagingStores } from './messaging.ts';
import { MetricsHistory, metricsHistoryDefaults } from './metrics-history.ts';
import type { MetricsSample } from '../web/protocol/metrics-sample.ts';
import type { MetricsSnapshot } from './metrics-snapshot.ts';
import type { Logger } from './logger.ts';
import { RetentionSweeper, type RetentionPolicy } from './retention-sweeper.ts';
import { UnreadableRecords } from './unreadable-records.ts';
import { newTaskFrom } from './task-intake.ts';
import { planBulk, type BulkItemInput } from './bulk-intake.ts';
import { Schedules } from './schedules.ts';
import type { ScheduleStore } from '../storage/schedule-store.ts';
import { toWireEvent } from './wire-events.ts';
import { Enrollment, type RegistrationMode } from './enrollment.ts';
import { Approvals } from './approvals.ts';
import type { ApprovalStore } from '../storage/approval-store.ts';
import type { ApprovalRequest } from '../web/protocol/approvals.ts';
import { defaultFleetControlSettings, FleetControl, type FleetControlSettings, type ProviderView } from './fleet-control.ts';
import type { DailyBudgetChanges, DailyBudgetsView } from './daily-budgets.ts';
import type { TokenLedger } from '../storage/token-ledger.ts';
import type { BreakerStore } from '../storage/breaker-store.ts';
import type { ClusterPresence } from './cluster-presence.ts';
import { clusterAgentFeed } from './cluster-agent-feed.ts';

export interface HubTimings {
  acceptanceTimeoutMs: number;
  stuckAfterMs: number;
  /** Rest for an agent that rejected an assignment, so the task goes to someone else. */
  rejectRestMs: number;
}

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

const defaultRepoKey = 'default_repo';
const rateLimitsKey = 'rate_limits';
/** An agent denied by a rate limit is not scheduled for this long (reference §8). */
const rateLimitRestMs = 60_000;

export class Hub implements HubPort {
  readonly version: string;
  readonly startedAt: number;
  readonly agents = new AgentRegistry();
  readonly events = new HubEvents();
  readonly scheduler: Scheduler;
  readonly metrics: MetricsHistory;
  readonly messaging: Messaging;
  readonly schedules: Schedules | null;
  readonly rateLimiter: RateLimiter;
  /** Agents' questions and their answers (runtime/approvals.ts); null without an approval store. */
  readonly approvals: Approvals | null;
  private readonly enrollment: Enrollment;
  /** Which uWebSockets.js build serves this hub; set by boot once the transport is up. */
  transport: 'native' | 'js-fallback' | null = null;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly dispatch: TaskDispatch;
  private readonly agentActors: AgentActors;
  readonly fleet: FleetControl;
  private readonly envAdminToken: string | null;
  private unreadableRecords?: UnreadableRecords;
  private retentionSweeper?: RetentionSweeper;
  readonly storage: StoragePort | null;
  private readonly unsubscribeStorage: () => void;
  private readonly stopClusterFeed: () => void;

  constructor(private readonly deps: HubDeps) {
    this.storage = deps.storageOps ?? null;
    this.unsubscribeStorage = this.storage?.onEvent((frame) => this.events.emit('storage.reported', frame.timestamp, { frame })) ?? (() => {});
    this.version = deps.version;
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    this.envAdminToken = deps.envAdminToken ?? null;
    this.log = deps.logger.child({ module: 'hub' });
    this.dispatch = new TaskDispatch({
      host: deps.actors, queue: deps.queue, agents: this.agents, events: this.events, log: this.log,
      stuckAfterMs: deps.timings.stuckAfterMs, now: this.now, offer: (task) => this.scheduler.taskAvailable(task),
      heldElsewhere: (agentId) => this.heldElsewhere(agentId),
    });
    this.fleet = new FleetControl({
      settings: { ...defaultFleetControlSettings, ...deps.fleetControl }, queue: deps.queue, agents: this.agents, events: this.events,
      log: this.log, now: this.now, store: deps.settings, ledger: deps.tokenLedger, breakerStore: deps.breakerStore,
      dispatch: () => this.dispatch, offerWork: () => this.scheduler.pass(),
    });
    this.agentActors = new AgentActors({
      host: deps.actors, registry: this.agents, queue: deps.queue, events: this.events, log: this.log,
      acceptanceTimeoutMs: deps.timings.acceptanceTimeoutMs, now: this.now,
      storedSnapshot: (systemId) => deps.snapshots?.get(systemId),
      breaker: this.fleet.breakerSettings(),
      logic: agentActorLogic({
        reclaim: (agentId, task, reason) => void this.dispatch.reclaim(task.taskId, reason, task.generation, agentId),
        idle: (agentId) => queueMicrotask(() => this.scheduler.agentIdle(agentId)),
        resume: (agentId, task) => this.fleet.resume(agentId, task),
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
    this.events.subscribe(eventLog(this.log));
    if (deps.snapshots) this.metrics.restore(deps.snapshots.samplesSince(this.startedAt - metricsHistoryDefaults.intervalMs * metricsHistoryDefaults.samples));
    this.messaging = new Messaging({
      ...deps.messaging, settings: deps.settings, agents: this.agents, events: this.events, logger: deps.logger, now: this.now,
      connectedElsewhere: (agentId) => !!deps.cluster?.hubOf(agentId),
    });
    deps.queue.onDependentsSettled((tasks) => this.dependentsSettled(tasks));
    deps.queue.onLeaseWaitersFreed((taskIds) => this.leaseWaitersFreed(taskIds));
    deps.queue.onRemoteChange((task, before) => this.remoteTaskChanged(task, before));
    const cluster = deps.cluster;
    if (cluster) this.events.subscribe((event) => {
      if (event.type.startsWith('agent.')) cluster.changed();
    });
    this.stopClusterFeed = cluster ? clusterAgentFeed(cluster, this.agents, this.events, this.now) : () => {};
    this.schedules = deps.scheduleStore
      ? new Schedules({ store: deps.scheduleStore, submit: (body, by) => this.submitTask(body, by), now: this.now, log: this.log })
      : null;
    this.enrollment = new Enrollment(deps.registration ?? 'open', deps.settings, this.now);
    this.approvals = deps.approvalStore
      ? new Approvals({ store: deps.approvalStore, queue: deps.queue, agents: this.agents, events: this.events, log: this.log, now: this.now })
      : null;
    this.rateLimiter = new RateLimiter({
      enabled: deps.rateLimitsEnabled ?? true,
      now: this.now,
      settings: deps.settings.get<RateLimitSettings>(rateLimitsKey),
      persist: (settings) => deps.settings.set(rateLimitsKey, settings),
      onDenied: (denial) => this.rateLimitDenied(denial),
    });
    this.scheduler = new Scheduler({
      queue: deps.queue,
      agents: this.agents,
      now: this.now,
      deliver: (entry, task) => this.dispatch.deliver(entry, task),
      onError: (error) => this.log.error('scheduling failed', { error: String(error) }),
      mayDispatch: (entry, now) => this.fleet.mayDispatch(entry, now),
    });
  }

  /** Restores in-flight work after a restart: task actors for assigned tasks, delayed-task timer. */
  resume(knownAgents: KnownAgent[]): void {
    for (const agent of knownAgents) {
      this.agentActors.ensure({ agentId: agent.agentId, name: agent.name, capabilities: agent.capabilities, status: 'offline' }).lastSeen = agent.lastSeen;
    }
    for (const task of this.deps.queue.assigned()) if (!this.heldElsewhere(task.assigned_to ?? '')) this.dispatch.startActor(task);
    this.fleet.resumeParked();
    this.dispatch.armDelayTimer();
    this.schedules?.start();
    this.approvals?.reconcile().catch((error: unknown) => this.log.error('closing the questions of ended tasks failed', { code: 'AC_ERR_INTERNAL', error: String(error) }));
  }

  // --- auth ---------------------------------------------------------------------

  authenticate(token: string): Principal | null {
    if (this.envAdminToken && sameSecret(token, this.envAdminToken)) return { scope: 'admin', name: 'env' };
    const found = this.deps.tokens.verify(token);
    if (!found) return null;
    return found.scope === 'admin' ? { scope: 'admin', name: found.name } : { scope: 'agent', agentId: found.agentId ?? found.name };
  }

  async registerAgent(agentId: string): Promise<Result<{ agent_id: string; token: string }>> {
    if (this.deps.tokens.hasAgent(agentId)) return fail('AC_ERR_AGENT_ALREADY_REGISTERED', agentId);
    const { token } = await this.deps.tokens.create({ scope: 'agent', agentId, name: agentId });
    this.log.info('agent registered', { agent_id: agentId });
    return ok({ agent_id: agentId, token });
  }

  async createToken(request: { agentId?: string; admin?: boolean; name?: string }): Promise<Result<{ token: string; info: TokenInfo }>> {
    const scope = request.admin ? 'admin' : 'agent';
    if (scope === 'agent' && !request.agentId) return fail('AC_ERR_VALIDATION', 'agent_id is required for an agent token');
    const name = request.name ?? request.agentId ?? 'admin';
    const { token, record } = await this.deps.tokens.create({ scope, agentId: request.agentId, name });
    return ok({ token, info: tokenInfoOf(record) });
  }

  registrationMode(): RegistrationMode {
    return this.enrollment.mode;
  }

  issueEnrollmentToken(ttlMs: number): Promise<{ token: string; expires_at: number }> {
    return this.enrollment.issue(ttlMs);
  }

  consumeEnrollmentToken(token: string): Promise<boolean> {
    return this.enrollment.consume(token);
  }

  listTokens(): TokenInfo[] {
    return this.deps.tokens.list().map(tokenInfoOf);
  }

  async revokeAgentTokens(agentId: string): Promise<Result<number>> {
    const revoked = await this.deps.tokens.revokeAgent(agentId);
    if (revoked === 0) return fail('AC_ERR_AGENT_NOT_FOUND', agentId);
    const entry = this.agents.get(agentId);
    entry?.link?.close(4001, 'token revoked');
    // Removed, not just offline: its held task goes back to the queue and the agent leaves the board.
    if (entry) {
      entry.actor.send({ type: 'agent.disconnected' });
      this.agentActors.forget(agentId);
      this.deps.snapshots?.remove(agentSystemId(agentId));
      this.events.emit('agent.removed', this.now(), { agentId });
    }
    await this.deps.directory.forget(agentId);
    this.log.notice('agent tokens revoked', { agent_id: agentId, count: revoked });
    return ok(revoked);
  }

  // --- agent sockets ------------------------------------------------------------

  agentConnected(identity: AgentIdentity, link: AgentLink): void {
    const now = this.now();
    const entry = this.agentActors.ensure(identity);
    const previous = entry.link;
    entry.identity = identity;
    this.agents.setLink(entry, link);
    entry.connectedAt = now;
    entry.lastSeen = now;
    if (previous && previous.linkId !== link.linkId) previous.close(4000, 'replaced by a newer connection');
    if (stateOf(entry) === 'offline') {
      entry.actor.send({ type: 'agent.connected', capabilities: identity.capabilities, resume: this.agentActors.heldTaskOf(identity.agentId) });
      this.fleet.agentConnected(identity.agentId);
    }
    void this.deps.directory.remember({ agentId: identity.agentId, name: identity.name, capabilities: identity.capabilities, lastSeen: now });
    this.messaging.agentConnected(identity.agentId, link);
    this.approvals?.agentConnected(identity.agentId);
    this.events.emit('agent.joined', now, { agent: entry });
  }

  agentDisconnected(agentId: string, link: AgentLink): void {
    const entry = this.agents.get(agentId);
    // An older socket closing must not take down the newer one (reference quirk 4).
    if (!entry || entry.link?.linkId !== link.linkId) return;
    this.agents.setLink(entry, null);
    entry.connectedAt = null;
    entry.actor.send({ type: 'agent.disconnected' });
    this.events.emit('agent.left', this.now(), { agent: entry });
  }

  agentSeen(agentId: string): void {
    const entry = this.agents.get(agentId);
    if (entry) entry.lastSeen = this.now();
  }

  setAgentStatus(agentId: string, status: string): void {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    entry.identity = { ...entry.identity, status };
    this.events.emit('agent.status_changed', this.now(), { agent: entry });
  }

  /**
   * Answered from the assignment's commit, with no sync of its own: task_assign went out only
   * once the assignment was durable, so the agent holds the task whatever happens to this accept.
   * Fenced now against the committed record (the same rule the store applies); `accepted_at`
   * joins the next write batch (fenced again there). A kill -9 before that batch loses only the
   * mark: after the restart the sidecar's task_recovering accepts again, durably.
   */
  async taskAccepted(report: TaskReport): Promise<Result<Task>> {
    const fenced = checkReport(this.deps.queue.get(report.taskId), reportOf(report), 'task_accepted');
    if (!fenced.ok) return fenced;
    const now = this.now();
    void this.deps.queue.accept(reportOf(report), now).then((recorded) => {
      if (!recorded.ok) this.log.debug('accept not recorded', { code: recorded.code, task_id: report.taskId, agent_id: report.agentId });
    });
    const task = { ...fenced.value, accepted_at: now, updated_at: now };
    this.acceptedNow(task, report.agentId);
    return ok(toWireTask(task));
  }

  /** The durable accept: resolves once `accepted_at` is on disk (a recovery answers only then). */
  private async acceptDurably(report: TaskReport): Promise<Result<TaskRecord>> {
    const accepted = await this.deps.queue.accept(reportOf(report), this.now());
    if (accepted.ok) this.acceptedNow(accepted.value, report.agentId);
    return accepted;
  }

  private acceptedNow(task: TaskRecord, agentId: string): void {
    this.dispatch.actorOf(task.id)?.send({ type: 'task.accepted' });
    this.agents.get(agentId)?.actor.send({ type: 'task.accepted', taskId: task.id });
    this.events.emit('task.accepted', this.now(), { task, agentId });
  }

  async taskProgress(report: TaskReport, mark: { progress?: number; tokensUsed?: number } = {}): Promise<Result<Task>> {
    const charge = this.fleet.charge(report.agentId);
    const progressed = await this.deps.queue.progress(reportOf(report), this.now(), mark.tokensUsed ?? null, charge?.inTransaction);
    if (!progressed.ok) return progressed;
    charge?.committed();
    this.dispatch.actorOf(report.taskId)?.send({ type: 'task.progressed' });
    this.fleet.progressed(progressed.value, report.agentId, { progress: mark.progress, tokensUsed: progressed.value.tokens_used });
    return ok(toWireTask(progressed.value));
  }

  async taskCompleted(report: TaskReport & { generation: number }, result: unknown, tokensUsed: number | null): Promise<Result<Task>> {
    // The agent's snapshot after this completion (its Done count) commits with the completion itself.
    const agent = this.agents.get(report.agentId);
    const snapshots = this.deps.snapshots;
    const snapshot = agent && snapshots
      ? () => snapshots.putInTransaction(agentSystemId(report.agentId), persistedAfter(
        (agent.actor as unknown as { logic: AnyActorLogic }).logic, agent.actor.getSnapshot(), { type: 'task.finished', taskId: report.taskId, outcome: 'completed' },
      ))
      : undefined;
    const charge = this.fleet.charge(report.agentId);
    const alongside = (done: import('../storage/task-record.ts').TaskRecord, tokensBefore: number | null) => {
      snapshot?.();
      charge?.inTransaction(done, tokensBefore);
    };
    const completed = await this.deps.queue.complete({ ...report }, result, tokensUsed, this.now(), alongside);
    if (!completed.ok) return completed;
    charge?.committed();
    const task = completed.value;
    this.dispatch.actorOf(task.id)?.send({ type: 'task.completed' });
    this.agents.get(report.agentId)?.actor.send({ type: 'task.finished', taskId: task.id, outcome: 'completed', at: this.now() });
    this.events.emit('task.completed', this.now(), { task, agentId: report.agentId });
    return ok(toWireTask(task));
  }

  async taskFailed(report: TaskReport & { generation: number }, error: string): Promise<Result<{ task: Task; outcome: 'retried' | 'dead_letter' }>> {
    const failed = await this.deps.queue.fail({ ...report }, error, this.now());
    if (!failed.ok) return failed;
    const { task, outcome } = failed.value;
    this.dispatch.actorOf(task.id)?.send({ type: outcome === 'retried' ? 'task.retried' : 'task.dead_lettered' });
    this.agents.get(report.agentId)?.actor.send({ type: 'task.finished', taskId: task.id, outcome: 'failed', at: this.now() });
    this.events.emit(outcome === 'retried' ? 'task.retried' : 'task.dead_lettered', this.now(), { task, agentId: report.agentId, error });
    // A retry with a backoff waits in the delayed lane; without one it is back in its lane at once.
    if (outcome === 'retried' && task.status === 'delayed') this.dispatch.armDelayTimer();
    else if (outcome === 'retried') this.scheduler.taskAvailable(task);
    return ok({ task: toWireTask(task), outcome });
  }

  async taskRejected(report: TaskReport, reason: string): Promise<Result<Task>> {
    // The rest must be in place before the reclaim offers the task again, or it could come straight back.
    const entry = this.agents.get(report.agentId);
    const restBefore = entry?.restUntil ?? 0;
    if (entry) entry.restUntil = this.now() + this.deps.timings.rejectRestMs;
    const reclaimed = await this.dispatch.reclaim(report.taskId, 'rejected', report.generation, report.agentId, true);
    if (!reclaimed.ok) {
      if (entry) entry.restUntil = restBefore;
      return reclaimed;
    }
    this.log.notice('task rejected by agent', { task_id: report.taskId, agent_id: report.agentId, reason });
    return ok(toWireTask(reclaimed.value));
  }

  async taskRecovering(agentId: string, taskId: string): Promise<RecoveryAnswer> {
    const task = this.deps.queue.get(taskId);
    // Continue only for the agent that holds the task now (reference quirk 3 answered any assignee).
    if (!task || task.status !== 'assigned' || task.assigned_to !== agentId) return { type: 'task_reassign', task_id: taskId };
    // A recovering sidecar does not accept again: the recovery is its accept. Answer only once that
    // accept is durable, and reassign if the task was taken back before it could commit.
    const accepted = await this.acceptDurably({ agentId, taskId, generation: task.generation });
    if (!accepted.ok) return { type: 'task_reassign', task_id: taskId };
    return { type: 'task_continue', task_id: taskId, generation: accepted.value.generation };
  }

  taskStopped(agentId: string, taskId: string): Result<void> {
    const entry = this.agents.get(agentId);
    if (!entry) return fail('AC_ERR_AGENT_NOT_FOUND', agentId);
    if (stateOf(entry) !== 'stopping' || entry.actor.getSnapshot().context.currentTask?.taskId !== taskId) {
      return fail('AC_ERR_INVALID_STATE', taskId, stateOf(entry), 'task_stopped', 'stopping');
    }
    entry.actor.send({ type: 'task.stopped', taskId });
    this.log.info('agent stopped a cancelled task', { task_id: taskId, agent_id: agentId });
    return ok(undefined);
  }

  // --- agents ---------------------------------------------------------------------

  listAgents(): AgentView[] {
    const cluster = this.deps.cluster;
    if (!cluster) return [...this.agents.all()].map((entry) => this.agentView(entry));
    // Across hubs: this hub's connected agents, then every other live hub's, each with its hub.
    const here = [...this.agents.all()].filter((entry) => entry.link || !cluster.hubOf(entry.agentId))
      .map((entry) => ({ ...this.agentView(entry), hub: cluster.hubName }));
    return [...here, ...cluster.otherAgents()];
  }

  /** Another hub serves this agent now: its tasks are that hub's to watch. */
  private heldElsewhere(agentId: string): boolean {
    return !!this.deps.cluster && !this.agents.get(agentId)?.link && this.deps.cluster.hubOf(agentId) !== null;
  }

  /** Another hub changed a task: one entering a lane is offered here too; a delayed one re-arms the timer. */
  private remoteTaskChanged(task: TaskRecord, before: TaskRecord | undefined): void {
    if (task.status === 'queued') this.scheduler.taskAvailable(task);
    else if (task.status === 'delayed') this.dispatch.armDelayTimer();
    // Cancelled on another hub while one of this hub's agents held it: stop it here.
    else if (task.status === 'cancelled' && before?.assigned_to && this.agents.get(before.assigned_to)?.link) this.stopCancelled(task, before);
  }

  agentState(agentId: string): AgentView | undefined {
    const entry = this.agents.get(agentId);
    return entry && this.agentView(entry);
  }

  private agentView(entry: import('../actors/agent-registry.ts').AgentEntry): AgentView {
    const view = viewOf(entry);
    const since = this.fleet.noProgressSince(view.current_task_id);
    return since === null ? view : { ...view, no_progress_since: since };
  }

  // --- fleet control: breakers, rate-limit parking, budgets, providers --------------------

  /** The agent's provider refused it until `until` (agent_rate_limited): parked, keeping its task. */
  agentRateLimited(agentId: string, taskId: string, until: number, generation?: number): Promise<Result<{ until: number }>> {
    return this.fleet.rateLimited(agentId, taskId, until, generation);
  }

  async unblockAgent(agentId: string): Promise<Result<AgentView>> {
    const unblocked = await this.fleet.unblock(agentId);
    return unblocked.ok ? ok(this.agentView(unblocked.value)) : unblocked;
  }

  dailyBudgets(): DailyBudgetsView | null {
    return this.fleet.budgetsView();
  }

  setDailyBudgets(changes: DailyBudgetChanges): Promise<Result<DailyBudgetsView>> {
    return this.fleet.updateBudgets(changes);
  }

  providers(): ProviderView[] {
    return this.fleet.providersView();
  }

  // --- tasks ------------------------------------------------------------------------

  async submitTask(body: TaskSubmit, submittedBy: string | null): Promise<Result<{ task: Task; created: boolean }>> {
    const now = this.now();
    const input = newTaskFrom(body, submittedBy, now);
    // An idle agent that fits may get the task in the submit's own write: one sync from submit to task_assign.
    const taker = this.scheduler.reserveFor(input.neededCapabilities);
    const submitted = await this.deps.queue.submit(input, now, taker ? { agentId: taker.agentId, capabilities: taker.identity.capabilities } : undefined);
    const written = submitted.ok && submitted.value.created ? submitted.value.task : null;
    if (written) this.events.emit(entryEventOf(written), now, { task: written });
    if (taker) this.scheduler.release(taker, written);
    if (!submitted.ok) return submitted;
    if (written?.status === 'queued') this.scheduler.taskAvailable(written);
    else if (written?.status === 'delayed') this.dispatch.armDelayTimer();
    return ok({ task: toWireTask(submitted.value.task), created: submitted.value.created });
  }

  async submitBulk(inputs: readonly BulkItemInput[], submittedBy: string | null): Promise<Result<BulkOutcome>> {
    const now = this.now();
    const plan = planBulk(inputs, submittedBy, now);
    if (!plan.ok) return ok({ accepted: false, outcomes: plan.failures.map((failure) => failure!) });
    const submitted = await this.deps.queue.submitBulk(plan.items, plan.atomic, now);
    if (!submitted.ok) return submitted;
    const outcomes = new Array<Result<{ task: Task; created: boolean }>>(inputs.length);
    inputs.forEach((input, index) => { if (!input.ok) outcomes[index] = input; });
    let armDelay = false;
    submitted.value.forEach((outcome, at) => {
      const index = plan.originalIndex[at]!;
      if (!outcome.ok) {
        outcomes[index] = outcome;
        return;
      }
      const { task, created } = outcome.value;
      if (created) {
        this.events.emit(entryEventOf(task), now, { task });
        if (task.status === 'queued') this.scheduler.taskAvailable(task);
        else if (task.status === 'delayed') armDelay = true;
      }
      outcomes[index] = ok({ task: toWireTask(task), created });
    });
    if (armDelay) this.dispatch.armDelayTimer();
    this.log.info('tasks submitted in bulk', { count: inputs.length, atomic: plan.atomic });
    const accepted = !plan.atomic || outcomes.every((outcome) => outcome.ok);
    return ok({ accepted, outcomes });
  }

  taskLinks(taskId: string): TaskLinks {
    const task = this.deps.queue.get(taskId);
    const link = (id: string) => ({ task_id: id, status: this.deps.queue.get(id)?.status ?? 'purged' });
    return {
      dependencies: (task?.depends_on ?? []).map(link),
      dependents: this.deps.queue.dependentsOf(taskId).map((dependent) => ({ task_id: dependent.id, status: dependent.status })),
      waiting_for: this.deps.queue.remainingDependencies(taskId),
      leases: this.deps.queue.leasesOf(taskId),
      waiting_for_lease: leaseWaitView(this.deps.queue.leaseWaitOf(taskId)),
    };
  }

  listWaitingOn(taskId: string): TaskListPage {
    const tasks = this.deps.queue.waitingOn(taskId).map(toWireTask);
    return { tasks, count: tasks.length, next_cursor: null };
  }

  getTask(taskId: string): Task | undefined {
    const task = this.deps.queue.get(taskId);
    return task && toWireTask(task);
  }

  listTasks(query: TaskListQuery): TaskListPage {
    return this.pageOf(this.deps.queue.list(query));
  }

  /** A page as the wire has it; damaged records the page skipped are logged once and counted. */
  private pageOf(page: TaskPage): TaskListPage {
    const skipped = (this.unreadableRecords ??= new UnreadableRecords(this.log)).note(page.unreadable);
    if (page.unreadable) this.storage?.damagedRecordsFound(page.unreadable);
    return {
      tasks: page.tasks.map(toWireTask), count: page.tasks.length, next_cursor: page.nextCursor,
      ...(skipped > 0 ? { skipped_unreadable: skipped } : {}),
    };
  }

  taskStats(): TaskStatsView {
    const stats = this.deps.queue.stats();
    const queued = Object.values(stats.queuedByPriority).reduce((sum, n) => sum + n, 0);
    const unreadable = this.unreadableRecords?.count() ?? 0;
    return {
      by_status: stats.byStatus, by_priority: stats.queuedByPriority, dead_letter: stats.byStatus.dead_letter, queued_index_size: queued,
      ...(unreadable > 0 ? { unreadable_records: unreadable } : {}),
      ...(this.deps.retention ? { retention: this.retention()!.stats() } : {}),
    };
  }

  async cancelTask(taskId: string, cascade = false): Promise<Result<Task>> {
    const before = this.deps.queue.get(taskId);
    const cancelled = await this.deps.queue.cancel(taskId, this.now(), cascade);
    if (!cancelled.ok) return cancelled;
    const task = cancelled.value;
    const holder = this.stopCancelled(task, before);
    this.events.emit('task.cancelled', this.now(), { task, agentId: holder ?? null });
    return ok(toWireTask(task));
  }

  /** Tells the agent that held a cancelled task, and the task's actor; returns that agent. */
  private stopCancelled(task: TaskRecord, before: TaskRecord | undefined): string | null {
    const holder = before?.status === 'assigned' ? before.assigned_to : null;
    // The agent stays busy (`stopping`) until its sidecar answers task_stopped or the stop timeout passes.
    if (holder) {
      const entry = this.agents.get(holder);
      entry?.actor.send({ type: 'task.cancelled', taskId: task.id });
      entry?.link?.send({ type: 'task_cancelled', task_id: task.id, generation: before!.generation });
    }
    this.dispatch.actorOf(task.id)?.send({ type: 'task.cancelled' });
    return holder;
  }

  /** An operator approves a task awaiting approval: it goes on to its dependencies, delay or lane, durably. */
  async approveTask(taskId: string, by: string | null, note: string | null): Promise<Result<Task>> {
    const decided = await this.deps.queue.decideApproval(taskId, { decision: 'approved', by, note }, this.now());
    if (!decided.ok) return decided;
    const task = decided.value;
    const now = this.now();
    this.events.emit('task.approved', now, { task, by, waitedMs: now - task.created_at });
    if (task.status === 'queued') this.scheduler.taskAvailable(task);
    else if (task.status === 'delayed') this.dispatch.armDelayTimer();
    return ok(toWireTask(task));
  }

  /** An operator rejects a task awaiting approval: it is cancelled with reason `rejected`; its dependents settle by policy. */
  async rejectTask(taskId: string, by: string | null, reason: string): Promise<Result<Task>> {
    const decided = await this.deps.queue.decideApproval(taskId, { decision: 'rejected', by, reason }, this.now());
    if (!decided.ok) return decided;
    const task = decided.value;
    const now = this.now();
    this.events.emit('task.rejected', now, { task, by, reason, waitedMs: now - task.created_at });
    return ok(toWireTask(task));
  }

  async askApproval(agentId: string, request: ApprovalRequest): Promise<Result<ApprovalView>> {
    if (!this.approvals) return fail('AC_ERR_NOT_IMPLEMENTED', 'approval_request');
    return this.approvals.ask(agentId, request);
  }

  async answerApproval(id: string, answer: string, by: string | null): Promise<Result<ApprovalView>> {
    if (!this.approvals) return fail('AC_ERR_NOT_IMPLEMENTED', 'approvals');
    return this.approvals.answer(id, answer, by);
  }

  getApproval(id: string): ApprovalView | undefined {
    return this.approvals?.get(id);
  }

  /** Questions of one status (oldest first), and the tasks awaiting approval when pending ones are asked for. */
  listApprovals(status: ApprovalListStatus, limit: number): ApprovalList {
    const approvals = this.approvals?.list(status, limit) ?? [];
    const gated = status === 'pending' || status === 'all' ? this.listTasks({ status: 'awaiting_approval', limit }).tasks.reverse() : [];
    return { approvals, count: approvals.length, tasks_awaiting_approval: gated };
  }

  listDeadLetters(query: Pick<TaskListQuery, 'limit' | 'cursor'>): TaskListPage {
    return this.pageOf(this.deps.queue.listDeadLetters(query));
  }

  async retryDeadLetter(taskId: string): Promise<Result<Task>> {
    const retried = await this.deps.queue.retryDeadLetter(taskId, this.now());
    if (!retried.ok) return retried;
    this.events.emit('task.requeued', this.now(), { task: retried.value });
    this.scheduler.taskAvailable(retried.value);
    return ok(toWireTask(retried.value));
  }

  async purgeDeadLetters(taskId?: string): Promise<Result<number>> {
    return this.deps.queue.purgeDeadLetters(taskId);
  }

  // --- path leases and re-prioritising -----------------------------------------------------

  async reprioritiseTask(taskId: string, priority: number): Promise<Result<{ task: Task; from: number }>> {
    const moved = await this.deps.queue.reprioritise(taskId, priority, this.now());
    if (!moved.ok) return moved;
    const { task, from } = moved.value;
    if (from !== task.priority) {
      this.events.emit('task.reprioritised', this.now(), { task, from });
      if (task.status === 'queued') this.scheduler.taskAvailable(task);
    }
    return ok({ task: toWireTask(task), from });
  }

  async leaseAcquire(agentId: string, request: LeaseAcquire): Promise<Result<LeaseAcquireAnswer>> {
    const report = { taskId: request.task_id, agentId, generation: request.generation };
    const acquired = await this.deps.queue.leaseAcquire(report, request.paths, request.repo, this.now());
    if (!acquired.ok) return acquired;
    if ('granted' in acquired.value) this.events.emit('lease.acquired', this.now(), { lease: acquired.value.granted });
    else this.events.emit('lease.denied', this.now(), { taskId: request.task_id, agentId, paths: request.paths, holder: acquired.value.denied });
    return acquired;
  }

  async leaseRelease(agentId: string, leaseId: string): Promise<Result<PathLease>> {
    const released = await this.deps.queue.leaseRelease(leaseId, agentId);
    if (released.ok) this.events.emit('lease.released', this.now(), { lease: released.value });
    return released;
  }

  /** Queued tasks whose awaited lease ended (already durable): offered to the scheduler again. */
  private leaseWaitersFreed(taskIds: readonly string[]): void {
    for (const taskId of taskIds) {
      const task = this.deps.queue.get(taskId);
      if (task?.status === 'queued') this.scheduler.taskAvailable(task);
    }
  }

  async pushTask(agentId: string, description: string, metadata: Record<string, unknown>): Promise<Result<Task>> {
    const entry = this.agents.get(agentId);
    if (!entry?.link) return fail('AC_ERR_AGENT_NOT_CONNECTED', agentId);
    const now = this.now();
    const pushed = await this.deps.queue.assignDirect(agentId, newTaskFrom({ description, metadata, max_retries: 0 }, 'admin', now), now);
    if (!pushed.ok) return pushed;
    this.dispatch.deliver(entry, pushed.value, 'pushed');
    return ok(toWireTask(pushed.value));
  }

  // --- config -------------------------------------------------------------------------

  defaultRepo(): string | null {
    return this.deps.settings.get<string>(defaultRepoKey) ?? null;
  }

  async setDefaultRepo(url: string): Promise<Result<string>> {
    await this.deps.settings.set(defaultRepoKey, url);
    return ok(url);
  }

  setLogLevel(level: string): Result<string> {
    const levels = ['debug', 'info', 'notice', 'warning', 'error'];
    if (!levels.includes(level)) return fail('AC_ERR_INVALID_LOG_LEVEL', level, levels.join(', '));
    this.deps.logger.level = level;
    return ok(level);
  }

  // --- rate limits ----------------------------------------------------------------------

  /**
   * Every rate-limit denial lands here (hook metrics here): the agent rests from
   * scheduling for a minute, and the first denial of each retry window is logged and
   * published as a `rate_limited` hub event. Denials of a client that keeps sending
   * within its retry_after only count toward the socket's escalation.
   */
  rateLimitDenied(denial: RateLimitDenial): void {
    if (denial.agentId) {
      const entry = this.agents.get(denial.agentId);
      if (entry) {
        const wasResting = entry.restUntil > denial.at;
        entry.restUntil = Math.max(entry.restUntil, denial.at + rateLimitRestMs);
        if (!wasResting) setTimeout(() => this.scheduler.agentIdle(entry.agentId), rateLimitRestMs + 10).unref();
      }
    }
    // Every denial is counted (metrics); a client that ignores its retry_after is logged and shown once per window.
    this.events.emit('rate.limited', denial.at, {
      key: denial.key, agentId: denial.agentId, channel: denial.channel, tier: denial.tier, retryAfterMs: denial.retryAfterMs,
      repeated: denial.ignoredRetry,
    });
    if (denial.ignoredRetry) return;
    this.log.notice('rate limited', {
      code: 'AC_ERR_RATE_LIMITED', agent_id: denial.agentId, key: denial.key, channel: denial.channel, tier: denial.tier, retry_after_ms: denial.retryAfterMs,
    });
  }

  // --- dashboard ------------------------------------------------------------------------

  dashboardState(): Record<string, unknown> {
    const now = this.now();
    const stats = this.taskStats();
    return {
      uptime_ms: now - this.startedAt,
      timestamp: now,
      version: this.version,
      health: { status: this.storage?.degradedReasons().length ? 'degraded' : 'ok', agents_connected: this.agents.connectedCount(), agents_known: this.agents.size },
      agents: this.listAgents(),
      ...(this.deps.cluster ? { hub_name: this.deps.cluster.hubName } : {}),
      queue: stats,
      dead_letter_tasks: this.listDeadLetters({ limit: 50 }).tasks,
      recent_completions: this.listTasks({ status: 'completed', limit: 20 }).tasks,
      series: this.metrics.history(),
      transport: this.transport,
      storage: this.deps.storageSize ? { size_bytes: this.deps.storageSize() } : null,
      ...(this.storage ? { dets_health: this.storage.health(), compaction_history: this.storage.compactionHistory() } : {}),
      rate_limits: this.rateLimiter.view(),
      approvals: this.listApprovals('pending', 100),
      fleet_control: { providers: this.fleet.providersView(), budgets: this.fleet.budgetsView() },
    };
  }

  storageWriteFault(): StorageWriteFault | null {
    return this.deps.storageWriteFault?.() ?? null;
  }

  /** Closes a metrics interval and publishes it, with the /api/metrics snapshot when there is one, to the dashboard feed. */
  sampleMetrics(snapshot: MetricsSnapshot | null = null): void {
    const now = this.now();
    const sample: MetricsSample = this.metrics.sample(now);
    this.deps.snapshots?.addSample(sample, now - metricsHistoryDefaults.intervalMs * metricsHistoryDefaults.samples);
    this.events.emit('metrics.sampled', now, { sample, snapshot });
  }

  onEvent(listener: (event: HubEvent) => void): () => void {
    return this.events.subscribe((event) => {
      const frame = toWireEvent(event);
      if (frame) listener(frame);
    });
  }

  // --- internals ----------------------------------------------------------------------------

  /** Waiting tasks moved by the graph (already durable): into the scheduler, the delay timer and the feed. */
  private dependentsSettled(tasks: readonly TaskRecord[]): void {
    let armDelay = false;
    for (const task of tasks) {
      this.events.emit('task.dependency_settled', this.now(), { task, step: task.history[0]?.event ?? task.status });
      if (task.status === 'queued') this.scheduler.taskAvailable(task);
      else if (task.status === 'delayed') armDelay = true;
    }
    if (armDelay) this.dispatch.armDelayTimer();
  }

  /** Safety-net pass: offers work to idle agents and closes sockets that went silent. */
  sweep(staleAgentMs: number): void {
    const now = this.now();
    for (const entry of this.agents.all()) {
      if (entry.link && entry.lastSeen !== null && now - entry.lastSeen > staleAgentMs) {
        this.log.notice('closing silent agent socket', { agent_id: entry.agentId, silent_ms: now - entry.lastSeen });
        entry.link.close(4002, 'no traffic within the liveness window');
      }
    }
    // After a restart an agent gets one acceptance timeout to come back for its task.
    this.dispatch.checkAssigned(now - this.startedAt > this.deps.timings.acceptanceTimeoutMs);
    this.fleet.sweep();
    this.scheduler.pass();
    this.rateLimiter.sweep();
    this.sweepRetention().catch((error: unknown) => this.log.error('retention sweep threw', { code: 'AC_ERR_INTERNAL', error: String(error) }));
    if (this.deps.retention) {
      this.approvals?.sweep(this.deps.retention.completedMs).catch((error: unknown) => this.log.error('approval retention sweep threw', { code: 'AC_ERR_INTERNAL', error: String(error) }));
    }
  }

  /** Deletes finished tasks and dead letters past their retention, a few small batches at a time. */
  sweepRetention(): Promise<void> {
    return this.retention()?.sweep() ?? Promise.resolve();
  }

  private retention(): RetentionSweeper | null {
    if (!this.deps.retention) return null;
    return (this.retentionSweeper ??= new RetentionSweeper(this.deps.queue, this.deps.retention, this.log, this.now));
  }

  stop(): void {
    this.approvals?.stop();
    this.schedules?.stop();
    this.unsubscribeStorage();
    this.scheduler.stop();
    this.messaging.stop();
    this.stopClusterFeed();
    this.dispatch.stop();
    this.fleet.stop();
  }
}

/** The event of a newly created task: which gate it waits at, or its lane. */
function entryEventOf(task: TaskRecord): 'task.awaiting_approval' | 'task.waiting' | 'task.delayed' | 'task.submitted' {
  switch (task.status) {
    case 'awaiting_approval': return 'task.awaiting_approval';
    case 'waiting': return 'task.waiting';
    case 'delayed': return 'task.delayed';
    default: return 'task.submitted';
  }
}

function leaseWaitView(wait: LeaseWait | null): TaskLinks['waiting_for_lease'] {
  return wait && { ...wait.lease, since: wait.since };
}

function reportOf(report: TaskReport): Report {
  return { taskId: report.taskId, agentId: report.agentId, generation: report.generation };
}

function tokenInfoOf(record: TokenRecord): TokenInfo {
  return { agent_id: record.agent_id, name: record.name, scope: record.scope, token_prefix: record.token_prefix, created_at: record.created_at };
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
