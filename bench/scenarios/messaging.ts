// Agent messaging over the real hub: durable direct messages between agent pairs,
// channel fan-out latency to 1k and 10k subscribers (until the last one has it), and
// how fast mailboxes drain when their agents reconnect.
import { startRpcChild, type RpcChild } from '../lib/child-rpc.ts';
import { socketsPerClientProcess, split } from '../lib/hub-clients.ts';
import type { HubProcess } from '../lib/hub-process.ts';
import { withHub } from '../lib/hub-session.ts';
import { summarize } from '../lib/sample-stats.ts';
import type { BenchContext, Metrics, ResultTable, Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';
import type { MessagingClientMethods } from '../workers/messaging-client.ts';

type Client = RpcChild<MessagingClientMethods>;

const workerUrl = new URL('../workers/messaging-client.ts', import.meta.url);
const payloadBytes = 256;

export const messagingScenario: Scenario = {
  name: 'messaging',
  description: 'direct messages/s between 100 agent pairs (durable), channel fan-out p50/p99 to 1k and 10k subscribers, mailbox drain on reconnect',
  async run(ctx) {
    const metrics: Metrics = {};
    const { value: tables } = await withHub({ label: 'messaging', progress: ctx.progress }, async ({ hub }) => [
      await direct(ctx, hub, metrics),
      await fanout(ctx, hub, metrics),
      await drain(ctx, hub, metrics),
    ]);
    return {
      status: 'measured',
      tables,
      metrics,
      notes: [
        `Payload: ${payloadBytes} B of text in \`payload\`; frames are JSON text over plain ws on 127.0.0.1.`,
        'Durable throughout: a direct or channel message is committed and fsynced (LMDB flush) before message_sent / channel_published and before anyone receives it.',
        'Processes: hub 1; load clients (the `ws` package, at most 5,000 sockets each) in their own processes; the harness process only coordinates.',
        'Fan-out: one publish at a time; latency is from just before the publisher sends channel_publish to the moment the last subscriber (over all client processes) has the channel_message.',
      ],
    };
  },
};

async function clients(hub: HubProcess, count: number, label: string): Promise<Client[]> {
  const started = Array.from({ length: count }, (_, i) => startRpcChild<MessagingClientMethods>(workerUrl, `${label}-${i}`));
  await Promise.all(started.map((client) => client.call('init', { wsUrl: hub.wsUrl, token: hub.adminToken })));
  return started;
}

const closeAll = (list: Client[]) => Promise.all(list.map(async (client) => {
  await client.call('closeAll');
  await client.close();
}));

async function admin(hub: HubProcess, method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${hub.url}${path}`, {
    method, headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

async function direct(ctx: BenchContext, hub: HubProcess, metrics: Metrics): Promise<ResultTable> {
  const pairs = 100;
  const inFlight = 4;
  const warmupMs = ctx.quick ? 500 : 2000;
  const measureMs = ctx.quick ? 1500 : 5000;
  const [client] = await clients(hub, 1, 'dm');
  try {
    const pairIds = Array.from({ length: pairs }, (_, i): [string, string] => [`dm-sender-${i}`, `dm-receiver-${i}`]);
    await client!.call('connect', { agentIds: pairIds.flat() });
    ctx.progress.stage(`direct: ${pairs} pairs, ${inFlight} in flight per sender; ${warmupMs} ms warm-up, ${measureMs} ms measured`);
    const out = await client!.call('directLoad', { pairs: pairIds, inFlight, warmupMs, measureMs, payloadBytes });
    const ackRate = (out.acked * 1000) / out.elapsedMs;
    const deliveredRate = (out.received * 1000) / out.elapsedMs;
    metrics['direct.ackedPerSec'] = ackRate;
    metrics['direct.deliveredPerSec'] = deliveredRate;
    metrics['direct.ackP50Ms'] = out.ackMs.p50;
    metrics['direct.ackP99Ms'] = out.ackMs.p99;
    metrics['direct.deliveryP50Ms'] = out.deliveryMs.p50;
    metrics['direct.deliveryP99Ms'] = out.deliveryMs.p99;
    return {
      title: `Direct messages, durable (${pairs} sender→receiver pairs, ${inFlight} in flight per sender = ${pairs * inFlight}; 1 load process holds all ${pairs * 2} sockets)`,
      columns: ['measure', 'per s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
      rows: [
        ['send → message_sent', fmt(ackRate), fmt(out.ackMs.p50), fmt(out.ackMs.p99), fmt(out.ackMs.p999), fmt(out.ackMs.max)],
        ['send → message on the receiver', fmt(deliveredRate), fmt(out.deliveryMs.p50), fmt(out.deliveryMs.p99), fmt(out.deliveryMs.p999), fmt(out.deliveryMs.max)],
      ],
    };
  } finally {
    await closeAll([client!]);
  }
}

async function fanout(ctx: BenchContext, hub: HubProcess, metrics: Metrics): Promise<ResultTable> {
  const sizes = ctx.quick ? [1000] : [1000, 10_000];
  const rows: Array<Array<string | number>> = [];
  for (const subscribers of sizes) {
    const messages = ctx.quick ? 20 : subscribers >= 10_000 ? 100 : 300;
    const channel = `fanout-${subscribers}`;
    await admin(hub, 'POST', '/api/channels', { name: channel, description: 'bench' });
    const processes = Math.ceil(subscribers / socketsPerClientProcess);
    const loaders = await clients(hub, processes, `fan${subscribers}`);
    try {
      const ids = Array.from({ length: subscribers }, (_, i) => `fan-${subscribers}-${i}`);
      const slices = split(ids, processes);
      ctx.progress.stage(`fan-out: connecting and subscribing ${subscribers} agents in ${processes} process(es)`);
      await Promise.all(loaders.map((loader, i) => loader.call('connect', { agentIds: slices[i]! })));
      await Promise.all(loaders.map((loader) => loader.call('subscribeAll', { channel })));
      await loaders[0]!.call('connect', { agentIds: [`fan-publisher-${subscribers}`] });
      ctx.progress.stage(`fan-out: ${messages} publishes to ${subscribers} subscribers, one at a time`);
      const last: number[] = [];
      const acked: number[] = [];
      for (let m = 0; m < messages + 5; m++) {
        const sent = await loaders[0]!.call('publishOne', { agentId: `fan-publisher-${subscribers}`, channel, payloadBytes });
        const arrivals = await Promise.all(loaders.map((loader, i) =>
          loader.call('awaitChannelMessage', { id: sent.id, expected: slices[i]!.length, timeoutMs: 60_000 })));
        if (m < 5) continue;
        last.push(Math.max(...arrivals) - sent.sentAt);
        acked.push(sent.ackAt - sent.sentAt);
      }
      const lastMs = summarize(last);
      const ackMs = summarize(acked);
      metrics[`fanout.s${subscribers}.lastP50Ms`] = lastMs.p50;
      metrics[`fanout.s${subscribers}.lastP99Ms`] = lastMs.p99;
      rows.push([subscribers, processes, messages, fmt(ackMs.p50), fmt(lastMs.p50), fmt(lastMs.p99), fmt(lastMs.max), fmt((subscribers * 1000) / lastMs.p50)]);
    } finally {
      await closeAll(loaders);
    }
  }
  return {
    title: 'Channel fan-out: one channel_publish until the last subscriber has it (durable; uWS topic publish; 5 warm-up publishes not counted)',
    columns: ['subscribers', 'load procs', 'publishes', 'ack p50 ms', 'last p50 ms', 'last p99 ms', 'last max ms', 'deliveries/s at p50'],
    rows,
  };
}

async function drain(ctx: BenchContext, hub: HubProcess, metrics: Metrics): Promise<ResultTable> {
  const rows: Array<Array<string | number>> = [];
  const stages = ctx.quick
    ? [{ agents: 10, each: 100, cap: 100 }]
    : [{ agents: 100, each: 100, cap: 100 }, { agents: 1, each: 10_000, cap: 10_000 }];
  for (const stage of stages) {
    await admin(hub, 'PUT', '/api/config/mailbox-retention', { mailbox_ttl_ms: 7 * 24 * 3600_000, mailbox_cap: stage.cap });
    const [loader] = await clients(hub, 1, `drain${stage.agents}`);
    try {
      const sender = `drain-sender-${stage.agents}`;
      const receivers = Array.from({ length: stage.agents }, (_, i) => `drain-${stage.agents}-${i}`);
      await loader!.call('connect', { agentIds: [sender] });
      ctx.progress.stage(`drain: filling ${stage.agents} offline mailbox(es) with ${stage.each} messages each`);
      await loader!.call('fill', { from: sender, to: receivers, perRecipient: stage.each, inFlight: 64, payloadBytes });
      ctx.progress.stage(`drain: ${stage.agents} agent(s) identify at once`);
      const out = await loader!.call('connectAndDrain', { agentIds: receivers, expectedEach: stage.each, timeoutMs: 120_000 });
      const rate = (out.received * 1000) / out.elapsedMs;
      metrics[`drain.a${stage.agents}.perSec`] = rate;
      rows.push([stage.agents, stage.each, stage.cap, fmt(out.elapsedMs), fmt(rate), fmt(out.perAgentMs.p50), fmt(out.perAgentMs.max)]);
    } finally {
      await closeAll([loader!]);
    }
  }
  await admin(hub, 'PUT', '/api/config/mailbox-retention', { mailbox_ttl_ms: 7 * 24 * 3600_000, mailbox_cap: 100 });
  return {
    title: 'Mailbox drain on reconnect: stored messages pushed at identify (1 load process; time from the first socket opening to the last message of the last agent)',
    columns: ['agents', 'messages each', 'mailbox_cap', 'total ms', 'messages/s', 'per agent p50 ms', 'per agent max ms'],
    rows,
  };
}
