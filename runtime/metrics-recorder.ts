// Records the hub into the OpenTelemetry meter: lifecycle counters and histograms from
// the event bus, the transport's counts through WebTelemetry, and gauges read at
// collection. Every instrument is created once from runtime/metric-catalogue.ts, and
// every attribute set is built once and reused, so a recording allocates nothing.
import type { Attributes, Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AgentEntry, FsmState } from '../actors/agent-registry.ts';
import type { WebTelemetry, SocketKind, ValidationSurface } from '../web/web-telemetry.ts';
import type { TypedHubEvent } from './hub-events.ts';
import { metricCatalogue as m, taskSecondsBuckets } from './metric-catalogue.ts';

const laneNames = ['urgent', 'high', 'normal', 'low'] as const;
const fsmStates: readonly FsmState[] = ['offline', 'idle', 'assigned', 'working', 'blocked', 'stopping'];

/** What the gauges read at collection time. */
export interface MetricsRecorderSources {
  queuedByLane(): readonly number[];
  statusCounts(): { delayed: number; assigned: number; dead_letter: number; awaiting_approval: number };
  /** Agents' unanswered questions now (runtime/approvals.ts); 0 without an approval store. */
  pendingQuestions(): number;
  agents(): Iterable<AgentEntry>;
  stateOf(entry: AgentEntry): FsmState;
  storage(): { sizeBytes: number; freePages: number } | null;
  /** Seconds since the newest good backup; undefined until backups exist (issue 13a plugs it in). */
  lastBackupAgeSeconds(): number | undefined;
  /** Restarts so far per supervisor. */
  supervisorRestarts(): Record<string, number>;
  /** Path leases held and queued tasks waiting for one; absent when the queue cannot say. */
  leases?(): { held: number; waiting: number } | null;
}

/** Attribute objects made once per value and reused on every recording. */
class AttributeCache<K> {
  private readonly cache = new Map<K, Attributes>();
  constructor(private readonly make: (key: K) => Attributes) {}
  get(key: K): Attributes {
    let attributes = this.cache.get(key);
    if (!attributes) this.cache.set(key, (attributes = Object.freeze(this.make(key))));
    return attributes;
  }
}

/**
 * A monotonic counter summed here and handed to OpenTelemetry at collection, as an observable
 * counter of the same name: the export is the same cumulative sum, but a recording is one map
 * update instead of the SDK's attribute hashing and storage lookup (about 15 per task).
 * Attribute objects are keyed by identity: pass the cached ones above, never a fresh literal.
 */
class SummedCounter implements Pick<Counter, 'add'> {
  private readonly sums = new Map<Attributes | undefined, number>();

  constructor(meter: Meter, d: { name: string; unit: string; meaning: string }) {
    meter.createObservableCounter(d.name, { unit: d.unit, description: d.meaning }).addCallback((result) => {
      for (const [attributes, sum] of this.sums) result.observe(sum, attributes);
    });
  }

  add(value: number, attributes?: Attributes): void {
    // As the SDK's counter: a negative or non-finite increment is dropped.
    if (!(value >= 0) || value === Infinity) return;
    this.sums.set(attributes, (this.sums.get(attributes) ?? 0) + value);
  }
}

export class MetricsRecorder implements WebTelemetry {
  private readonly submitted: SummedCounter;
  private readonly assigned: SummedCounter;
  private readonly completed: SummedCounter;
  private readonly failed: SummedCounter;
  private readonly retried: SummedCounter;
  private readonly deadLettered: SummedCounter;
  private readonly reclaimed: SummedCounter;
  private readonly cancelled: SummedCounter;
  private readonly queueWait: Histogram;
  private readonly run: Histogram;
  private readonly approvalWait: Histogram;
  private readonly approvalAttrs = {
    approved: Object.freeze({ kind: 'task', decision: 'approved' }),
    rejected: Object.freeze({ kind: 'task', decision: 'rejected' }),
    answered: Object.freeze({ kind: 'question', decision: 'answered' }),
  };
  private readonly agentStateTime: SummedCounter;
  private readonly agentTasksCompleted: SummedCounter;
  private readonly agentTaskRunTime: SummedCounter;
  private readonly sockets: UpDownCounter;
  private readonly http: SummedCounter;
  private readonly framesIn: SummedCounter;
  private readonly framesOut: SummedCounter;
  private readonly validation: SummedCounter;
  private readonly rateLimited: SummedCounter;
  private readonly backpressure: SummedCounter;
  private readonly leaseRequests: SummedCounter;
  private readonly reprioritised: SummedCounter;
  private readonly leaseResult = {
    granted: Object.freeze({ result: 'granted' }), denied: Object.freeze({ result: 'denied' }), released: Object.freeze({ result: 'released' }),
  };
  private readonly agentBlocks: SummedCounter;
  private readonly budgetExceeded: SummedCounter;
  private readonly budgetsExhausted: SummedCounter;
  private readonly noProgress: SummedCounter;

  private readonly lane = laneNames.map((name) => Object.freeze({ priority: name }));
  private readonly assignedHow = {
    claimed: laneNames.map((name) => Object.freeze({ priority: name, how: 'claimed' })),
    pushed: laneNames.map((name) => Object.freeze({ priority: name, how: 'pushed' })),
  };
  private readonly failedOutcome = {
    retried: laneNames.map((name) => Object.freeze({ priority: name, outcome: 'retried' })),
    dead_letter: laneNames.map((name) => Object.freeze({ priority: name, outcome: 'dead_letter' })),
  };
  private readonly reason = new AttributeCache<string>((reason) => ({ reason }));
  private readonly agentAttrs = new AttributeCache<string>((agentId) => ({ agent_id: agentId }));
  private readonly agentState = new AttributeCache<string>((key) => {
    const at = key.lastIndexOf('\u0000');
    return { agent_id: key.slice(0, at), state: key.slice(at + 1) };
  });
  private readonly httpAttrs = new AttributeCache<string>((key) => {
    const [route, method, status] = key.split('\u0000');
    return { route, method, status };
  });
  private readonly frameAttrs = new AttributeCache<string>((key) => {
    const [socket, type] = key.split('\u0000');
    return { socket, type };
  });
  private readonly socketAttrs = { agent: Object.freeze({ socket: 'agent' }), dashboard: Object.freeze({ socket: 'dashboard' }) };
  private readonly surfaceAttrs = new AttributeCache<string>((surface) => ({ surface }));
  private readonly tierAttrs = new AttributeCache<string>((tier) => ({ tier }));
  private readonly scopeAttrs = new AttributeCache<string>((scope) => ({ scope }));
  /** When each agent entered its current state, for the time-in-state counter. */
  private readonly stateSince = new Map<string, number>();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });

  constructor(meter: Meter, private readonly sources: MetricsRecorderSources) {
    const counter = (d: { name: string; unit: string; meaning: string }) => new SummedCounter(meter, d);
    const histogram = (d: { name: string; unit: string; meaning: string }) =>
      meter.createHistogram(d.name, { unit: d.unit, description: d.meaning, advice: { explicitBucketBoundaries: taskSecondsBuckets } });
    const gauge = (d: { name: string; unit: string; meaning: string }) => meter.createObservableGauge(d.name, { unit: d.unit, description: d.meaning });
    this.submitted = counter(m.tasksSubmitted);
    this.assigned = counter(m.tasksAssigned);
    this.completed = counter(m.tasksCompleted);
    this.failed = counter(m.tasksFailed);
    this.retried = counter(m.tasksRetried);
    this.deadLettered = counter(m.tasksDeadLettered);
    this.reclaimed = counter(m.tasksReclaimed);
    this.cancelled = counter(m.tasksCancelled);
    this.queueWait = histogram(m.taskQueueWait);
    this.run = histogram(m.taskRun);
    this.approvalWait = histogram(m.approvalWait);
    this.agentStateTime = counter(m.agentStateTime);
    this.agentTasksCompleted = counter(m.agentTasksCompleted);
    this.agentTaskRunTime = counter(m.agentTaskRunTime);
    this.sockets = meter.createUpDownCounter(m.socketsConnected.name, { unit: m.socketsConnected.unit, description: m.socketsConnected.meaning });
    this.http = counter(m.httpRequests);
    this.agentBlocks = counter(m.agentBlocks);
    this.budgetExceeded = counter(m.tasksBudgetExceeded);
    this.budgetsExhausted = counter(m.dailyBudgetsExhausted);
    this.noProgress = counter(m.tasksNoProgress);
    this.framesIn = counter(m.wsFramesReceived);
    this.framesOut = counter(m.wsFramesSent);
    this.validation = counter(m.validationErrors);
    this.rateLimited = counter(m.rateLimitDenials);
    this.backpressure = counter(m.backpressureCloses);
    this.leaseRequests = counter(m.leaseRequests);
    this.reprioritised = counter(m.tasksReprioritised);
    gauge(m.pathLeasesHeld).addCallback((result) => {
      const leases = sources.leases?.();
      if (leases) result.observe(leases.held);
    });
    gauge(m.leaseWaitingTasks).addCallback((result) => {
      const leases = sources.leases?.();
      if (leases) result.observe(leases.waiting);
    });

    const laneAttrs = laneNames.map((lane) => Object.freeze({ lane }));
    gauge(m.queueDepth).addCallback((result) => {
      const lanes = sources.queuedByLane();
      laneAttrs.forEach((attributes, index) => result.observe(lanes[index] ?? 0, attributes));
    });
    const statusAttrs = {
      delayed: { status: 'delayed' }, assigned: { status: 'assigned' }, dead_letter: { status: 'dead_letter' }, awaiting_approval: { status: 'awaiting_approval' },
    };
    gauge(m.tasksInStatus).addCallback((result) => {
      const counts = sources.statusCounts();
      for (const status of ['delayed', 'assigned', 'dead_letter', 'awaiting_approval'] as const) result.observe(counts[status], statusAttrs[status]);
    });
    const approvalKinds = { task: Object.freeze({ kind: 'task' }), question: Object.freeze({ kind: 'question' }) };
    gauge(m.approvalsPending).addCallback((result) => {
      result.observe(sources.statusCounts().awaiting_approval, approvalKinds.task);
      result.observe(sources.pendingQuestions(), approvalKinds.question);
    });
    const stateAttrs = Object.fromEntries(fsmStates.map((state) => [state, Object.freeze({ state })]));
    gauge(m.agents).addCallback((result) => {
      const counts: Record<string, number> = { offline: 0, idle: 0, assigned: 0, working: 0, blocked: 0 };
      for (const entry of sources.agents()) counts[sources.stateOf(entry)] = (counts[sources.stateOf(entry)] ?? 0) + 1;
      for (const state of fsmStates) result.observe(counts[state] ?? 0, stateAttrs[state]);
    });
    gauge(m.storageSize).addCallback((result) => {
      const stats = sources.storage();
      if (stats) result.observe(stats.sizeBytes);
    });
    gauge(m.storageFreePages).addCallback((result) => {
      const stats = sources.storage();
      if (stats) result.observe(stats.freePages);
    });
    gauge(m.lastBackupAge).addCallback((result) => {
      const age = sources.lastBackupAgeSeconds();
      if (age !== undefined) result.observe(age);
    });
    meter.createObservableCounter(m.supervisorRestarts.name, { unit: m.supervisorRestarts.unit, description: m.supervisorRestarts.meaning })
      .addCallback((result) => {
        for (const [supervisor, restarts] of Object.entries(sources.supervisorRestarts())) result.observe(restarts, { supervisor });
      });
    this.loopDelay.enable();
    gauge(m.eventLoopDelay).addCallback((result) => {
      if (this.loopDelay.count === 0) return;
      result.observe(this.loopDelay.percentile(50) / 1e9, { stat: 'p50' });
      result.observe(this.loopDelay.percentile(99) / 1e9, { stat: 'p99' });
      result.observe(this.loopDelay.max / 1e9, { stat: 'max' });
    });
    const user = Object.freeze({ mode: 'user' });
    const system = Object.freeze({ mode: 'system' });
    meter.createObservableCounter(m.processCpu.name, { unit: m.processCpu.unit, description: m.processCpu.meaning }).addCallback((result) => {
      const usage = process.cpuUsage();
      result.observe(usage.user / 1e6, user);
      result.observe(usage.system / 1e6, system);
    });
    gauge(m.processMemory).addCallback((result) => {
      const memory = process.memoryUsage();
      result.observe(memory.rss, { kind: 'rss' });
      result.observe(memory.heapUsed, { kind: 'heap_used' });
      result.observe(memory.external, { kind: 'external' });
    });
  }

  /** Resets the event-loop histogram so each collection window stands alone. */
  resetLoopDelay(): void {
    this.loopDelay.reset();
  }

  stop(): void {
    this.loopDelay.disable();
  }

  /** The event bus subscriber. */
  readonly observe = (event: TypedHubEvent): void => {
    switch (event.type) {
      case 'task.submitted': case 'task.delayed': case 'task.waiting': case 'task.awaiting_approval':
        this.submitted.add(1, this.lane[event.task.priority]);
        return;
      case 'task.approved':
        this.approvalWait.record(Math.max(0, event.waitedMs) / 1000, this.approvalAttrs.approved);
        if (event.task.status === 'dead_letter') this.deadLettered.add(1, this.lane[event.task.priority]);
        return;
      case 'task.rejected':
        this.approvalWait.record(Math.max(0, event.waitedMs) / 1000, this.approvalAttrs.rejected);
        this.cancelled.add(1);
        return;
      case 'approval.answered':
        this.approvalWait.record(Math.max(0, event.waitedMs) / 1000, this.approvalAttrs.answered);
        return;
      case 'rate.limited':
        this.rateLimitDenied(event.tier);
        return;
      case 'task.dependency_settled':
        if (event.task.status === 'dead_letter') this.deadLettered.add(1, this.lane[event.task.priority]);
        else if (event.task.status === 'cancelled') this.cancelled.add(1);
        return;
      case 'task.assigned':
        this.assigned.add(1, this.assignedHow[event.how][event.task.priority]);
        if (event.latencyMs !== null) this.queueWait.record(event.latencyMs / 1000, this.lane[event.task.priority]);
        return;
      case 'task.completed': {
        this.completed.add(1, this.lane[event.task.priority]);
        const agent = this.agentAttrs.get(event.agentId);
        this.agentTasksCompleted.add(1, agent);
        if (event.task.assigned_at !== null) {
          const seconds = Math.max(0, event.at - event.task.assigned_at) / 1000;
          this.run.record(seconds);
          this.agentTaskRunTime.add(seconds, agent);
        }
        return;
      }
      case 'task.retried':
        this.failed.add(1, this.failedOutcome.retried[event.task.priority]);
        this.retried.add(1, this.lane[event.task.priority]);
        return;
      case 'task.dead_lettered':
        this.failed.add(1, this.failedOutcome.dead_letter[event.task.priority]);
        this.deadLettered.add(1, this.lane[event.task.priority]);
        return;
      case 'task.reclaimed':
        this.reclaimed.add(1, this.reason.get(event.reason));
        return;
      case 'task.cancelled':
        this.cancelled.add(1);
        return;
      case 'task.reprioritised':
        this.reprioritised.add(1, this.lane[event.task.priority]);
        return;
      case 'lease.acquired':
        this.leaseRequests.add(1, this.leaseResult.granted);
        return;
      case 'lease.denied':
        this.leaseRequests.add(1, this.leaseResult.denied);
        return;
      case 'lease.released':
        this.leaseRequests.add(1, this.leaseResult.released);
        return;
      case 'agent.blocked':
        this.agentBlocks.add(1, this.reason.get(event.reason));
        return;
      case 'task.budget_exceeded':
        this.budgetExceeded.add(1);
        return;
      case 'budget.exhausted':
        this.budgetsExhausted.add(1, this.scopeAttrs.get(event.scope));
        return;
      case 'task.no_progress':
        this.noProgress.add(1);
        return;
      case 'agent.state_changed': {
        const id = event.agent.agentId;
        const since = this.stateSince.get(id);
        this.stateSince.set(id, event.at);
        if (since !== undefined && event.at > since) this.agentStateTime.add((event.at - since) / 1000, this.agentState.get(`${id}\u0000${event.from}`));
        return;
      }
    }
  };

  /** When each agent entered its current state (the snapshot adds the running stretch). */
  stateStartedAt(agentId: string): number | undefined {
    return this.stateSince.get(agentId);
  }

  rateLimitDenied(tier: string): void {
    this.rateLimited.add(1, this.tierAttrs.get(tier));
  }

  // --- WebTelemetry ---------------------------------------------------------------------

  httpRequest(route: string, method: string, status: number): void {
    this.http.add(1, this.httpAttrs.get(`${route}\u0000${method}\u0000${status}`));
  }

  frameReceived(socket: SocketKind, type: string): void {
    this.framesIn.add(1, this.frameAttrs.get(`${socket}\u0000${type}`));
  }

  frameSent(socket: SocketKind, type: string): void {
    this.framesOut.add(1, this.frameAttrs.get(`${socket}\u0000${type}`));
  }

  validationError(surface: ValidationSurface): void {
    this.validation.add(1, this.surfaceAttrs.get(surface));
  }

  backpressureClose(socket: SocketKind): void {
    this.backpressure.add(1, this.socketAttrs[socket]);
  }

  socketOpened(socket: SocketKind): void {
    this.sockets.add(1, this.socketAttrs[socket]);
  }

  socketClosed(socket: SocketKind): void {
    this.sockets.add(-1, this.socketAttrs[socket]);
  }
}
