// Simulated agents for the hub scenarios: N sockets on /ws (the `ws` client), each
// identifying with the admin token (which may identify as any agent, docs/api.md).
// In 'complete' mode an agent answers task_assign with task_accepted and task_complete
// at once; in 'hold' mode it accepts and keeps the task until `releaseHeld()`.
//
// Latency is taken from the task's own metadata: the submitter stamps `t` (shared-clock
// ms just before its HTTP request) and `s` (the stage name), so no join between the
// submitting and the receiving process is needed. Both run on this machine's clock.
import WebSocket from 'ws';
import { sharedClockMs } from './bullmq-settings.ts';
import { StageStats, type StageFigures } from './stage-stats.ts';

export type AgentMode = 'complete' | 'hold';

export interface SwarmAgentSpec {
  agentId: string;
  capabilities: string[];
  /** This agent's hub, when agents are split between hubs (cluster scenario); default the swarm's. */
  wsUrl?: string;
}

interface InFlight {
  stage: string;
  submittedAt: number | null;
  generation: number;
}

interface Agent {
  spec: SwarmAgentSpec;
  ws: WebSocket | null;
  identified: boolean;
  tasks: Map<string, InFlight>;
  pingTimer: NodeJS.Timeout | null;
}

export interface SwarmOptions {
  wsUrl: string;
  token: string;
  mode: AgentMode;
  /** Each agent sends {type:"ping"} this often (first one at a random offset); null for none. */
  pingIntervalMs: number | null;
  /** Reconnect a dropped socket (every 50 ms until it identifies), then recover held tasks with task_recovering. */
  reconnect: boolean;
  /** Keep the ids of tasks whose completion the hub acknowledged (restart scenario). */
  recordAckedIds: boolean;
  /** PEM CA of a TLS hub (wss). */
  ca?: string;
}

const maxUnawaitedAcks = 10_000;

export class AgentSwarm {
  private readonly agents = new Map<string, Agent>();
  private readonly stages = new StageStats();
  private readonly waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private readonly taskWaiters = new Map<string, () => void>();
  /**
   * Completions acknowledged before anyone waited for them: the hub writes task_assign before its
   * HTTP reply, so a one-at-a-time submitter can read the ack first (bounded; oldest dropped).
   */
  private readonly unawaitedAcks = new Set<string>();
  readonly ackedCompleteIds: string[] = [];
  readonly errors = new Map<string, number>();
  pongs = 0;
  closes = 0;
  private markAt = Number.POSITIVE_INFINITY;
  private firstAssignAfterMark = NaN;

  constructor(private options: SwarmOptions) {}

  /** Starts watching for the first task_assign at or after shared-clock time `at` (restart scenario). */
  mark(at: number): void {
    this.markAt = at;
    this.firstAssignAfterMark = NaN;
  }

  /** Shared-clock ms of the first task_assign since `mark`, NaN while none has come. */
  get firstAssignSinceMark(): number {
    return this.firstAssignAfterMark;
  }

  /** A restarted hub on another port: reconnects go there. */
  retarget(wsUrl: string): void {
    this.options = { ...this.options, wsUrl };
  }

  setMode(mode: AgentMode): void {
    this.options = { ...this.options, mode };
  }

  setPingInterval(pingIntervalMs: number | null): void {
    this.options = { ...this.options, pingIntervalMs };
    for (const agent of this.agents.values()) this.armPing(agent);
  }

  get connectedCount(): number {
    let count = 0;
    for (const agent of this.agents.values()) if (agent.identified) count++;
    return count;
  }

  /** Opens and identifies the agents, `parallel` handshakes at a time; with `retryMs`, keeps trying a refused connection that long. */
  async connect(specs: SwarmAgentSpec[], parallel = 200, retryMs = 0): Promise<{ connected: number; elapsedMs: number }> {
    const startedAt = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < specs.length) {
        const spec = specs[next++];
        const agent: Agent = { spec, ws: null, identified: false, tasks: new Map(), pingTimer: null };
        this.agents.set(spec.agentId, agent);
        const deadline = performance.now() + retryMs;
        for (;;) {
          try {
            await this.open(agent);
            break;
          } catch (error) {
            if (performance.now() >= deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, specs.length) }, worker));
    return { connected: this.connectedCount, elapsedMs: performance.now() - startedAt };
  }

  stage(name: string): StageFigures {
    return this.stages.figures(name);
  }

  /** Resolves once `count` tasks of `stage` have been assigned ('assigned') or acknowledged complete. */
  waitFor(stage: string, what: 'assigned' | 'completed', count: number, timeoutMs: number): Promise<void> {
    const check = () => this.stages.count(stage, what) >= count;
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`waited ${timeoutMs} ms for ${count} ${what} in stage ${stage}; have ${this.stages.count(stage, what)}; errors ${JSON.stringify([...this.errors])}`));
      }, timeoutMs);
      this.waiters.push({ check, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  /** Resolves when this task's completion is acknowledged (for one-at-a-time submitters in this process). */
  waitForTask(taskId: string): Promise<void> {
    if (this.unawaitedAcks.delete(taskId)) return Promise.resolve();
    return new Promise((resolve) => this.taskWaiters.set(taskId, resolve));
  }

  /** Completes every held task (hold mode's in-flight tasks). */
  releaseHeld(): number {
    let released = 0;
    for (const agent of this.agents.values()) {
      for (const [taskId, task] of agent.tasks) {
        this.send(agent, { type: 'task_complete', task_id: taskId, generation: task.generation, result: { status: 'success' } });
        released++;
      }
    }
    return released;
  }

  get heldCount(): number {
    let held = 0;
    for (const agent of this.agents.values()) held += agent.tasks.size;
    return held;
  }

  async closeAll(): Promise<void> {
    this.options = { ...this.options, reconnect: false };
    const closed: Promise<void>[] = [];
    for (const agent of this.agents.values()) {
      if (agent.pingTimer) clearInterval(agent.pingTimer);
      const ws = agent.ws;
      if (!ws || ws.readyState === WebSocket.CLOSED) continue;
      closed.push(new Promise((resolve) => { ws.once('close', () => resolve()); setTimeout(resolve, 2000).unref(); }));
      ws.close(1000, 'bench done');
    }
    await Promise.all(closed);
  }

  private open(agent: Agent): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(agent.spec.wsUrl ?? this.options.wsUrl, { perMessageDeflate: false, ca: this.options.ca });
      agent.ws = ws;
      let settled = false;
      let identifiedHere = false;
      ws.once('open', () => {
        ws.send(JSON.stringify({ type: 'identify', agent_id: agent.spec.agentId, token: this.options.token, capabilities: agent.spec.capabilities }));
      });
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (frame.type === 'identified' && !settled) {
          settled = true;
          identifiedHere = true;
          agent.identified = true;
          this.armPing(agent);
          // A sidecar recovers what it held before the drop; so do we.
          for (const taskId of agent.tasks.keys()) this.send(agent, { type: 'task_recovering', task_id: taskId });
          resolve();
          return;
        }
        this.onFrame(agent, frame);
      });
      ws.once('error', (error) => {
        if (!settled) { settled = true; reject(error); }
      });
      ws.once('close', (code, reason) => {
        if (!settled) { settled = true; reject(new Error(`closed ${code} ${String(reason)} before identified`)); return; }
        // Only a socket that was live starts a reconnect loop; a failed attempt belongs to a loop already running.
        if (!identifiedHere || agent.ws !== ws) return;
        agent.identified = false;
        if (agent.pingTimer) { clearInterval(agent.pingTimer); agent.pingTimer = null; }
        this.closes++;
        if (this.options.reconnect) void this.reopen(agent);
      });
    });
  }

  private async reopen(agent: Agent): Promise<void> {
    while (this.options.reconnect) {
      try {
        await this.open(agent);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  private armPing(agent: Agent): void {
    if (agent.pingTimer) { clearInterval(agent.pingTimer); agent.pingTimer = null; }
    const interval = this.options.pingIntervalMs;
    if (interval === null || !agent.identified) return;
    // A random phase spreads the fleet's heartbeats evenly over the interval.
    const first = setTimeout(() => {
      this.send(agent, { type: 'ping' });
      agent.pingTimer = setInterval(() => this.send(agent, { type: 'ping' }), interval);
    }, Math.random() * interval);
    agent.pingTimer = first;
  }

  private send(agent: Agent, frame: Record<string, unknown>): void {
    if (agent.ws?.readyState === WebSocket.OPEN) agent.ws.send(JSON.stringify(frame));
  }

  private onFrame(agent: Agent, frame: Record<string, unknown>): void {
    const now = sharedClockMs();
    switch (frame.type) {
      case 'task_assign': {
        const taskId = frame.task_id as string;
        const generation = frame.generation as number;
        const metadata = (frame.metadata ?? {}) as { t?: number; s?: string };
        const stage = metadata.s ?? 'prebuilt';
        const submittedAt = typeof metadata.t === 'number' ? metadata.t : null;
        const record = this.stages.record(stage);
        if (now >= this.markAt && Number.isNaN(this.firstAssignAfterMark)) this.firstAssignAfterMark = now;
        record.assigned++;
        if (Number.isNaN(record.firstAssignAt)) record.firstAssignAt = now;
        record.lastAssignAt = now;
        if (submittedAt !== null) record.assignMs.record(now - submittedAt);
        agent.tasks.set(taskId, { stage, submittedAt, generation });
        this.send(agent, { type: 'task_accepted', task_id: taskId, generation });
        if (this.options.mode === 'complete') {
          this.send(agent, { type: 'task_complete', task_id: taskId, generation, result: { status: 'success' } });
        }
        this.wake();
        return;
      }
      case 'task_ack': {
        if (frame.status !== 'complete') return;
        const taskId = frame.task_id as string;
        const task = agent.tasks.get(taskId);
        agent.tasks.delete(taskId);
        if (this.options.recordAckedIds) this.ackedCompleteIds.push(taskId);
        if (task) {
          const record = this.stages.record(task.stage);
          record.completed++;
          record.lastCompleteAt = now;
          if (task.submittedAt !== null) record.completeMs.record(now - task.submittedAt);
        }
        const waiter = this.taskWaiters.get(taskId);
        if (waiter) {
          waiter();
          this.taskWaiters.delete(taskId);
        } else {
          this.unawaitedAcks.add(taskId);
          if (this.unawaitedAcks.size > maxUnawaitedAcks) this.unawaitedAcks.delete(this.unawaitedAcks.values().next().value!);
        }
        this.wake();
        return;
      }
      case 'task_continue': {
        const taskId = frame.task_id as string;
        const task = agent.tasks.get(taskId);
        if (!task) return;
        task.generation = frame.generation as number;
        if (this.options.mode === 'complete') {
          this.send(agent, { type: 'task_complete', task_id: taskId, generation: task.generation, result: { status: 'success' } });
        }
        return;
      }
      case 'task_reassign':
      case 'task_cancelled':
        agent.tasks.delete(frame.task_id as string);
        return;
      case 'pong':
        this.pongs++;
        return;
      case 'error': {
        const key = String(frame.error);
        this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
        return;
      }
      default:
    }
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].check()) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }
}
