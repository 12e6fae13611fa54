// Fairness under a flooder (issue 15): ten agents doing task work, measured with and
// without one agent that floods WebSocket frames and HTTP requests as fast as it can.
// The normal agents use the load client (admin token, exempt from the buckets, as an
// operator's scripts are); the flooder uses its own agent token, so the buckets apply.
import WebSocket from 'ws';
import { agentCapabilities } from '../lib/task-fixture.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { withHub } from '../lib/hub-session.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import type { Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';

const normalAgents = 10;
const pauseMs = 2;

interface FloodTally {
  wsSent: number;
  wsAnswered: number;
  wsDenied: number;
  wsClosed: number;
  httpSent: number;
  http2xx: number;
  http429: number;
}

/** Floods from this process until stopped: pings on a socket (reconnecting when closed) and GET /api/tasks. */
function startFlooder(url: string, wsUrl: string, token: string): { stop(): Promise<FloodTally> } {
  const tally: FloodTally = { wsSent: 0, wsAnswered: 0, wsDenied: 0, wsClosed: 0, httpSent: 0, http2xx: 0, http429: 0 };
  let stopped = false;
  let socket: WebSocket | null = null;
  const connect = () => {
    if (stopped) return;
    const ws = new WebSocket(wsUrl);
    socket = ws;
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'identify', agent_id: 'flooder', token, protocol_version: 1 }));
      const pump = () => {
        if (stopped || ws.readyState !== WebSocket.OPEN) return;
        // Keep ~1 MiB queued on our side: as fast as the socket takes it. Batches of
        // 1,000 yield to the event loop, so the socket's close is seen.
        for (let i = 0; i < 1000 && ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 1024 * 1024; i++) {
          ws.send('{"type":"ping"}');
          tally.wsSent++;
        }
        setImmediate(pump);
      };
      pump();
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"rate_limited"')) tally.wsDenied++;
      else if (text.includes('"pong"')) tally.wsAnswered++;
    });
    ws.on('close', () => {
      tally.wsClosed++;
      setTimeout(connect, 100);
    });
    ws.on('error', () => {});
  };
  connect();
  const httpLoops = Array.from({ length: 8 }, async () => {
    while (!stopped) {
      tally.httpSent++;
      try {
        const response = await fetch(`${url}/api/tasks?limit=1`, { headers: { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
        if (response.status === 429) tally.http429++;
        else if (response.ok) tally.http2xx++;
      } catch {
        // Refused connections count as sent, not answered.
      }
    }
  });
  return {
    async stop() {
      stopped = true;
      socket?.terminate();
      await Promise.all(httpLoops);
      return tally;
    },
  };
}

export const fairnessScenario: Scenario = {
  name: 'fairness',
  description: `${normalAgents} agents doing task work, with and without one agent flooding WS frames and HTTP requests`,
  async run(ctx) {
    const tasks = ctx.quick ? 200 : 1000;
    const warmup = ctx.quick ? 50 : 100;
    const { value } = await withHub({ label: 'fairness', progress: ctx.progress }, async ({ hub }) => {
      const [client] = await startHubClients(hub, 1, 'fairness-client', 1);
      try {
        await client.call('connectAgents', {
          specs: agentSpecs(normalAgents, () => agentCapabilities),
          options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
        });
        const registered = await fetch(`${hub.url}/api/onboard/register`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken}` },
          body: JSON.stringify({ agent_id: 'flooder' }),
        });
        const flooderToken = ((await registered.json()) as { token: string }).token;
        ctx.progress.stage(`${normalAgents} agents; ${warmup} warm-up tasks, then ${tasks} one at a time without a flooder`);
        await client.call('submitSerial', { stage: 'warmup', count: warmup, pauseMs });
        const cpu = new CpuMeter(hub.pid);
        await client.call('submitSerial', { stage: 'baseline', count: tasks, pauseMs });
        const baselineCpu = cpu.read();
        const baseline = await client.call('stage', 'baseline');
        ctx.progress.stage(`the same ${tasks} tasks while one agent floods`);
        const flooder = startFlooder(hub.url, hub.wsUrl, flooderToken);
        await new Promise((resolve) => setTimeout(resolve, 500));
        cpu.reset();
        await client.call('submitSerial', { stage: 'flooded', count: tasks, pauseMs });
        const floodedCpu = cpu.read();
        const flooded = await client.call('stage', 'flooded');
        const tally = await flooder.stop();
        await client.call('closeAgents');
        return { baseline, flooded, tally, baselineCpu, floodedCpu };
      } finally {
        await closeClients([client]);
      }
    });
    const { baseline, flooded, tally, baselineCpu, floodedCpu } = value;
    const floodSeconds = floodedCpu.wallMs / 1000;
    return {
      status: 'measured',
      tables: [
        {
          title: `Normal agents' submit → task_assign (${normalAgents} agents, ${tasks} tasks one at a time, ${pauseMs} ms apart)`,
          columns: ['stage', 'p50 ms', 'p99 ms', 'max ms', 'hub CPU (cores)'],
          rows: [
            ['without flooder', fmt(baseline.assignMs.p50), fmt(baseline.assignMs.p99), fmt(baseline.assignMs.max), fmt(baselineCpu.cores)],
            ['with flooder', fmt(flooded.assignMs.p50), fmt(flooded.assignMs.p99), fmt(flooded.assignMs.max), fmt(floodedCpu.cores)],
          ],
        },
        {
          title: `What the flooder got through (${fmt(floodSeconds)} s of flooding; its own agent token)`,
          columns: ['channel', 'sent', 'answered', 'denied', 'per second answered', 'disconnects'],
          rows: [
            ['WebSocket ping', tally.wsSent, tally.wsAnswered, tally.wsDenied, fmt(tally.wsAnswered / floodSeconds), tally.wsClosed],
            ['HTTP GET /api/tasks', tally.httpSent, tally.http2xx, tally.http429, fmt(tally.http2xx / floodSeconds), '-'],
          ],
        },
      ],
      metrics: {
        baselineAssignP99Ms: baseline.assignMs.p99, floodedAssignP99Ms: flooded.assignMs.p99,
        floodedHubCores: floodedCpu.cores, flooderWsAnswered: tally.wsAnswered, flooderHttp2xx: tally.http2xx,
      },
      notes: [
        'Processes: hub 1; one load client for the normal agents and the submitter; the flooder runs in the harness process.',
        'The flooder is closed (1008) after ten frames inside its retry_after, then reconnects and meets its identify cooldown.',
      ],
    };
  },
};
