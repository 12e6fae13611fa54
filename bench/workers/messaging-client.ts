// Worker: a messaging load client of the hub, driven step by step over IPC (child-rpc.ts).
// It holds agent sockets (the `ws` package, identified with the admin token) and records
// when frames arrive on the shared clock, so the parent can combine several processes.
import WebSocket from 'ws';
import { sharedClockMs } from '../lib/bullmq-settings.ts';
import { serveRpc } from '../lib/child-rpc.ts';
import { SampleRecorder, type LatencySummary } from '../lib/sample-stats.ts';

type Frame = Record<string, unknown> & { type: string };

interface Agent {
  agentId: string;
  ws: WebSocket;
  /** Waiters for replies, per reply type, in send order (the hub answers one socket in order). */
  replies: Map<string, Array<(frame: Frame) => void>>;
  received: number;
}

let target: { wsUrl: string; token: string } | null = null;
const agents = new Map<string, Agent>();
/** Channel message id → [subscribers here that got it, shared-clock ms of the last]. */
const channelArrivals = new Map<string, { count: number; lastAt: number }>();
let recordDelivery: SampleRecorder | null = null;
let onDirect: ((agent: Agent) => void) | null = null;

function handle(agent: Agent, frame: Frame): void {
  if (frame.type === 'channel_message') {
    const seen = channelArrivals.get(frame.id as string) ?? { count: 0, lastAt: 0 };
    seen.count += 1;
    seen.lastAt = sharedClockMs();
    channelArrivals.set(frame.id as string, seen);
    return;
  }
  if (frame.type === 'message') {
    agent.received += 1;
    const sentAt = (frame.payload as { t?: number }).t;
    if (recordDelivery && typeof sentAt === 'number') recordDelivery.record(sharedClockMs() - sentAt);
    onDirect?.(agent);
    return;
  }
  // A bench run expects no errors: fail the worker loudly rather than measure around one.
  if (frame.type === 'error') throw new Error(`${agent.agentId}: ${JSON.stringify(frame)}`);
  agent.replies.get(frame.type)?.shift()?.(frame);
}

function request(agent: Agent, message: Record<string, unknown>, replyType: string): Promise<Frame> {
  return new Promise((resolve) => {
    const list = agent.replies.get(replyType) ?? [];
    list.push(resolve);
    agent.replies.set(replyType, list);
    agent.ws.send(JSON.stringify(message));
  });
}

function open(agentId: string): Promise<Agent> {
  const { wsUrl, token } = target!;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const agent: Agent = { agentId, ws, replies: new Map(), received: 0 };
    ws.on('message', (data) => handle(agent, JSON.parse(data.toString()) as Frame));
    ws.once('error', reject);
    ws.once('open', () => {
      request(agent, { type: 'identify', agent_id: agentId, token }, 'identified').then(() => resolve(agent), reject);
    });
  });
}

async function inBatches<T>(items: T[], parallel: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += parallel) await Promise.all(items.slice(i, i + parallel).map(each));
}

const need = (agentId: string): Agent => {
  const agent = agents.get(agentId);
  if (!agent) throw new Error(`agent ${agentId} is not connected here`);
  return agent;
};

export const messagingClientMethods = {
  async init(input: { wsUrl: string; token: string }) {
    target = input;
  },
  async connect(input: { agentIds: string[]; parallel?: number }) {
    await inBatches(input.agentIds, input.parallel ?? 200, async (agentId) => {
      agents.set(agentId, await open(agentId));
    });
    return agents.size;
  },
  async subscribeAll(input: { channel: string; parallel?: number }) {
    await inBatches([...agents.values()], input.parallel ?? 500, async (agent) => {
      await request(agent, { type: 'channel_subscribe', channel: input.channel }, 'channel_subscribed');
    });
  },
  /** One channel_publish; resolves with its id and the shared-clock ms just before the frame was sent. */
  async publishOne(input: { agentId: string; channel: string; payloadBytes: number }) {
    const agent = need(input.agentId);
    const sentAt = sharedClockMs();
    const answer = await request(agent, { type: 'channel_publish', channel: input.channel, payload: { text: 'x'.repeat(input.payloadBytes) } }, 'channel_published');
    return { id: answer.id as string, sentAt, ackAt: sharedClockMs() };
  },
  /** Resolves when `expected` subscribers here got the message, with the time the last one did. */
  async awaitChannelMessage(input: { id: string; expected: number; timeoutMs: number }) {
    const deadline = sharedClockMs() + input.timeoutMs;
    for (;;) {
      const seen = channelArrivals.get(input.id);
      if (seen && seen.count >= input.expected) {
        channelArrivals.delete(input.id);
        return seen.lastAt;
      }
      if (sharedClockMs() > deadline) throw new Error(`message ${input.id}: ${seen?.count ?? 0}/${input.expected} subscribers within ${input.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  },
  /**
   * Each sender keeps `inFlight` direct messages to its receiver outstanding for the
   * warm-up and then `measureMs`; counts message_sent answers and deliveries in the window.
   */
  async directLoad(input: { pairs: Array<[string, string]>; inFlight: number; warmupMs: number; measureMs: number; payloadBytes: number }) {
    const filler = 'x'.repeat(input.payloadBytes);
    let measuring = false;
    let stop = false;
    let acked = 0;
    const ackLatency = new SampleRecorder();
    const delivery = new SampleRecorder();
    recordDelivery = null;
    const loops = input.pairs.flatMap(([from, to]) => Array.from({ length: input.inFlight }, async () => {
      const sender = need(from);
      while (!stop) {
        const t = sharedClockMs();
        await request(sender, { type: 'message', to, payload: { t, text: filler } }, 'message_sent');
        if (measuring) {
          acked += 1;
          ackLatency.record(sharedClockMs() - t);
        }
      }
    }));
    const receiversBefore = () => input.pairs.reduce((sum, [, to]) => sum + need(to).received, 0);
    await new Promise((resolve) => setTimeout(resolve, input.warmupMs));
    measuring = true;
    recordDelivery = delivery;
    const receivedAtStart = receiversBefore();
    const startedAt = sharedClockMs();
    await new Promise((resolve) => setTimeout(resolve, input.measureMs));
    const elapsedMs = sharedClockMs() - startedAt;
    const received = receiversBefore() - receivedAtStart;
    measuring = false;
    recordDelivery = null;
    stop = true;
    await Promise.all(loops);
    return { acked, received, elapsedMs, ackMs: ackLatency.summary(), deliveryMs: delivery.summary() };
  },
  /** Sends `perRecipient` direct messages to each (offline) recipient, `inFlight` at a time per sender socket. */
  async fill(input: { from: string; to: string[]; perRecipient: number; inFlight: number; payloadBytes: number }) {
    const sender = need(input.from);
    const filler = 'x'.repeat(input.payloadBytes);
    const jobs = input.to.flatMap((to) => Array.from({ length: input.perRecipient }, () => to));
    let next = 0;
    await Promise.all(Array.from({ length: input.inFlight }, async () => {
      while (next < jobs.length) {
        const to = jobs[next++]!;
        await request(sender, { type: 'message', to, payload: { text: filler } }, 'message_sent');
      }
    }));
    return jobs.length;
  },
  /** Connects the agents at once and resolves when each has `expectedEach` messages pushed. */
  async connectAndDrain(input: { agentIds: string[]; expectedEach: number; timeoutMs: number }): Promise<{ elapsedMs: number; received: number; perAgentMs: LatencySummary }> {
    const startedAt = sharedClockMs();
    const perAgent = new SampleRecorder();
    let done = 0;
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`drain: ${done}/${input.agentIds.length} agents got ${input.expectedEach} within ${input.timeoutMs} ms`)), input.timeoutMs);
      onDirect = (agent) => {
        if (agent.received !== input.expectedEach) return;
        perAgent.record(sharedClockMs() - startedAt);
        done += 1;
        if (done === input.agentIds.length) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    await Promise.all(input.agentIds.map(async (agentId) => agents.set(agentId, await open(agentId))));
    await finished;
    onDirect = null;
    const elapsedMs = sharedClockMs() - startedAt;
    return { elapsedMs, received: done * input.expectedEach, perAgentMs: perAgent.summary() };
  },
  async closeAll() {
    for (const agent of agents.values()) agent.ws.terminate();
    agents.clear();
  },
};

export type MessagingClientMethods = typeof messagingClientMethods;

serveRpc(messagingClientMethods);
