// Worker: a load client of the hub, driven step by step over IPC (child-rpc.ts). One
// process may hold simulated agents (agent-swarm.ts), an HTTP submitter, or both.
import { AgentSwarm, type AgentMode, type SwarmAgentSpec, type SwarmOptions } from '../lib/agent-swarm.ts';
import { sharedClockMs } from '../lib/bullmq-settings.ts';
import { serveRpc } from '../lib/child-rpc.ts';
import { HubHttp } from '../lib/hub-http.ts';
import { SampleRecorder } from '../lib/sample-stats.ts';
import { submitTasks, type SubmitPlan } from '../lib/task-submitter.ts';
import { fixtureCapabilities, fixtureTask } from '../lib/task-fixture.ts';

export interface HubClientInit {
  url: string;
  wsUrl: string;
  token: string;
  /** Keep-alive HTTP sockets: the most requests this client has in flight at once. */
  maxSockets: number;
  /** PEM CA of a TLS hub. */
  ca?: string;
}

let init: HubClientInit | null = null;
let http: HubHttp | null = null;
let swarm: AgentSwarm | null = null;
/** A mark set before the agents exist (the restart scenario marks the hub's spawn, then connects). */
let pendingMark: number | null = null;

const need = <T>(value: T | null, what: string): T => {
  if (value === null) throw new Error(`${what} not set up`);
  return value;
};

export const hubClientMethods = {
  async init(input: HubClientInit) {
    init = input;
    http?.close();
    http = new HubHttp(input.url, input.token, input.maxSockets, input.ca);
  },
  /** Points the client at a restarted hub (same data dir, maybe a new port). */
  async retarget(url: string, wsUrl: string) {
    const current = need(init, 'init');
    await hubClientMethods.init({ ...current, url, wsUrl });
    if (swarm) swarm.retarget(wsUrl);
  },
  async connectAgents(input: { specs: SwarmAgentSpec[]; options: Omit<SwarmOptions, 'wsUrl' | 'token'>; parallel?: number; retryMs?: number }) {
    const { wsUrl, token, ca } = need(init, 'init');
    if (!swarm) {
      swarm = new AgentSwarm({ wsUrl, token, ca, ...input.options });
      if (pendingMark !== null) swarm.mark(pendingMark);
    }
    return swarm.connect(input.specs, input.parallel ?? 200, input.retryMs ?? 0);
  },
  async setMode(mode: AgentMode) {
    need(swarm, 'swarm').setMode(mode);
  },
  async setPingInterval(ms: number | null) {
    need(swarm, 'swarm').setPingInterval(ms);
  },
  async releaseHeld() {
    return need(swarm, 'swarm').releaseHeld();
  },
  async submit(plan: SubmitPlan) {
    return submitTasks(need(http, 'http'), plan);
  },
  /** One task at a time: submit, wait for this process's agents to finish it, then the next. */
  async submitSerial(input: { stage: string; count: number; pauseMs: number }) {
    const client = need(http, 'http');
    const agents = need(swarm, 'swarm');
    const httpMs = new SampleRecorder();
    // A submit answered `assigned` took the one-transaction path (written assigned to an idle agent).
    let answeredAssigned = 0;
    const description = fixtureTask(0).description;
    for (let i = 0; i < input.count; i++) {
      const startedAt = sharedClockMs();
      const reply = await client.post('/api/tasks', {
        description, priority: 'normal', max_retries: 3, needed_capabilities: fixtureCapabilities,
        metadata: { repo: 'agentcom/main', bench_index: i, t: startedAt, s: input.stage },
      });
      if (reply.status !== 201) throw new Error(`POST /api/tasks answered ${reply.status} ${JSON.stringify(reply.body)}`);
      httpMs.record(sharedClockMs() - startedAt);
      if (reply.body.status === 'assigned') answeredAssigned += 1;
      await agents.waitForTask(reply.body.task_id as string);
      if (input.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, input.pauseMs));
    }
    return { httpMs: httpMs.summary(), answeredAssigned };
  },
  async waitFor(stage: string, what: 'assigned' | 'completed', count: number, timeoutMs: number) {
    await need(swarm, 'swarm').waitFor(stage, what, count, timeoutMs);
  },
  async stage(name: string) {
    return need(swarm, 'swarm').stage(name);
  },
  async counters() {
    const agents = need(swarm, 'swarm');
    return { connected: agents.connectedCount, pongs: agents.pongs, closes: agents.closes, held: agents.heldCount, errors: Object.fromEntries(agents.errors) };
  },
  async mark(at: number) {
    if (swarm) swarm.mark(at);
    else pendingMark = at;
  },
  /** Waits (polling every 2 ms) for the first task_assign since `mark`; returns its shared-clock time. */
  async firstAssignSinceMark(timeoutMs: number) {
    const agents = need(swarm, 'swarm');
    const deadline = performance.now() + timeoutMs;
    while (Number.isNaN(agents.firstAssignSinceMark)) {
      if (performance.now() > deadline) throw new Error(`no task_assign within ${timeoutMs} ms of the mark`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return agents.firstAssignSinceMark;
  },
  async ackedCompleteIds() {
    return need(swarm, 'swarm').ackedCompleteIds;
  },
  /** Reads each task back: 'exists' needs any status, 'completed' needs status completed. */
  async checkTasks(input: { ids: string[]; expect: 'exists' | 'completed'; concurrency: number }) {
    const client = need(http, 'http');
    let next = 0;
    let missing = 0;
    let wrongStatus = 0;
    const examples: string[] = [];
    const caller = async () => {
      while (next < input.ids.length) {
        const id = input.ids[next++];
        const reply = await client.get(`/api/tasks/${encodeURIComponent(id)}`);
        if (reply.status === 404) { missing++; if (examples.length < 5) examples.push(`${id}: missing`); continue; }
        if (reply.status !== 200) throw new Error(`GET /api/tasks/${id} answered ${reply.status}`);
        if (input.expect === 'completed' && reply.body.status !== 'completed') {
          wrongStatus++;
          if (examples.length < 5) examples.push(`${id}: ${String(reply.body.status)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: input.concurrency }, caller));
    return { checked: input.ids.length, missing, wrongStatus, examples };
  },
  async closeAgents() {
    await swarm?.closeAll();
  },
  async rssMiB() {
    return process.memoryUsage().rss / 1024 ** 2;
  },
};

export type HubClientMethods = typeof hubClientMethods;

serveRpc(hubClientMethods);
