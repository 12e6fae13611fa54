// Idle agents with heartbeats, stepping up the fleet: hub RSS per connected agent, the
// hub's CPU while they idle, and the CPU each heartbeat costs (measured at a raised ping rate).
import { agentCapabilities } from '../lib/task-fixture.ts';
import { agentSpecs, closeClients, socketsPerClientProcess, startHubClients, type HubClient } from '../lib/hub-clients.ts';
import { hardFdLimit, type HubProcess } from '../lib/hub-process.ts';
import { withHub } from '../lib/hub-session.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import type { Metrics, ResultTable, Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';

const heartbeatMs = 30_000;
/** Heartbeats per second the whole fleet sends while the per-heartbeat cost is measured. */
const fastPingsPerSec = 5000;
/** File descriptors the hub needs besides its sockets (LMDB, logs, listening socket, tsx). */
const fdHeadroom = 200;
const budgetMiB = 2048;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const connectionsScenario: Scenario = {
  name: 'connections',
  description: 'idle agents with heartbeats, 1k → 20k: hub RSS per agent, idle CPU, CPU per heartbeat, agents in 2 GiB',
  async run(ctx) {
    const fdCeiling = hardFdLimit() - fdHeadroom;
    const wanted = ctx.quick ? [1000, 5000] : [1000, 5000, 10_000, 20_000];
    const steps = [...new Set(wanted.map((step) => Math.min(step, fdCeiling)))];
    const top = steps[steps.length - 1];
    const windowMs = ctx.quick ? 2000 : 10_000;
    const heartbeatRounds = ctx.quick ? 2 : 3;
    const settleMs = ctx.quick ? 1500 : 3000;
    const processes = Math.ceil(top / socketsPerClientProcess);
    const metrics: Metrics = {};
    const rows: ResultTable['rows'] = [];
    let baseRss = NaN;
    const fitPoints: Array<[number, number]> = [];
    let heartbeat = { pingsPerSec: NaN, cpuUsPerPing: NaN, fastCores: NaN, idleCores: NaN };

    await withHub({ label: 'connections', progress: ctx.progress }, async ({ hub }) => {
      const clients = await startHubClients(hub, processes, 'connections-client', 1);
      const pongs = async (all: HubClient[]) => (await Promise.all(all.map((c) => c.call('counters')))).reduce((sum, c) => sum + c.pongs, 0);
      try {
        await sleep(settleMs);
        const idleMeter = new CpuMeter(hub.pid);
        baseRss = await medianRssOver(hub, windowMs);
        const baseCores = idleMeter.read().cores;
        fitPoints.push([0, baseRss]);
        rows.push([0, '', '', '', fmt(baseRss), '', fmt(baseCores), '']);
        ctx.progress.stage(`no agents: RSS ${fmt(baseRss)} MiB; ${processes} client processes`);
        const specs = agentSpecs(top, () => agentCapabilities);
        let connected = 0;
        for (const step of steps) {
          // Agent i lives in client floor(i / 5000), so each process holds at most 5k sockets.
          const byClient = clients.map(() => [] as typeof specs);
          for (let i = connected; i < step; i++) byClient[Math.floor(i / socketsPerClientProcess)].push(specs[i]);
          const startedAt = performance.now();
          const connectMeter = new CpuMeter(hub.pid);
          await Promise.all(clients.map((client, k) => byClient[k].length === 0 ? null : client.call('connectAgents', {
            specs: byClient[k], parallel: 100,
            options: { mode: 'complete', pingIntervalMs: heartbeatMs, reconnect: false, recordAckedIds: false },
          })));
          const connectMs = performance.now() - startedAt;
          const added = step - connected;
          const identifyCpuMs = connectMeter.read().cpuMs / added;
          connected = step;
          await sleep(settleMs);
          const meter = new CpuMeter(hub.pid);
          const rss = await medianRssOver(hub, windowMs);
          const cores = meter.read().cores;
          fitPoints.push([step, rss]);
          const perAgentKiB = ((rss - baseRss) * 1024) / step;
          metrics[`n${step}.rssMiB`] = rss;
          metrics[`n${step}.rssKiBPerAgent`] = perAgentKiB;
          metrics[`n${step}.idleCpuCores`] = cores;
          metrics[`n${step}.identifiesPerSec`] = (added * 1000) / connectMs;
          metrics[`n${step}.hubCpuMsPerIdentify`] = identifyCpuMs;
          ctx.progress.stage(`${step} agents: RSS ${fmt(rss)} MiB (${fmt(perAgentKiB)} KiB/agent), idle CPU ${fmt(cores)} cores`);
          rows.push([step, fmt((added * 1000) / connectMs), fmt(connectMs), fmt(identifyCpuMs), fmt(rss), fmt(perAgentKiB), fmt(cores), fmt((step * 1000) / heartbeatMs)]);
        }

        // Alternate windows at the normal and the raised rate, so periodic work in the hub
        // (sweeps, metrics samples, GC) lands in both and cancels out of the difference.
        ctx.progress.stage(`heartbeat cost: ${top} agents, ${heartbeatRounds} rounds of ${windowMs} ms at 30 s and at ${fastPingsPerSec}/s in all`);
        const fastIntervalMs = Math.round((top * 1000) / fastPingsPerSec);
        let idleCpuMs = 0;
        let idleWallMs = 0;
        let fastCpuMs = 0;
        let fastWallMs = 0;
        let pings = 0;
        for (let round = 0; round < heartbeatRounds; round++) {
          await Promise.all(clients.map((client) => client.call('setPingInterval', heartbeatMs)));
          await sleep(settleMs);
          const idle = new CpuMeter(hub.pid);
          await sleep(windowMs);
          const idleRead = idle.read();
          idleCpuMs += idleRead.cpuMs;
          idleWallMs += idleRead.wallMs;
          await Promise.all(clients.map((client) => client.call('setPingInterval', fastIntervalMs)));
          await sleep(settleMs);
          const pongsBefore = await pongs(clients);
          const fast = new CpuMeter(hub.pid);
          await sleep(windowMs);
          const fastRead = fast.read();
          pings += (await pongs(clients)) - pongsBefore;
          fastCpuMs += fastRead.cpuMs;
          fastWallMs += fastRead.wallMs;
        }
        const idleCores = idleCpuMs / idleWallMs;
        const fastCores = fastCpuMs / fastWallMs;
        const pingsPerSec = (pings * 1000) / fastWallMs;
        heartbeat = { pingsPerSec, idleCores, fastCores, cpuUsPerPing: ((fastCores - idleCores) * 1e6) / pingsPerSec };
        await Promise.all(clients.map((client) => client.call('setPingInterval', heartbeatMs)));
        await Promise.all(clients.map((client) => client.call('closeAgents')));
      } finally {
        await closeClients(clients);
      }
    });

    // RSS moves with GC as well as with agents, so the per-agent cost for the estimate is the
    // least-squares slope over every step rather than the top step alone.
    const slopeKiBPerAgent = slope(fitPoints) * 1024;
    const fitIn2GiB = ((budgetMiB - baseRss) * 1024) / slopeKiBPerAgent;
    metrics.rssKiBPerAgentSlope = slopeKiBPerAgent;
    Object.assign(metrics, {
      baseRssMiB: baseRss, 'heartbeat.cpuUsPerPing': heartbeat.cpuUsPerPing, 'heartbeat.pingsPerSec': heartbeat.pingsPerSec, agentsIn2GiB: fitIn2GiB,
    });
    const notes = [
      `Processes: hub 1; ${processes} agent client processes (at most ${socketsPerClientProcess} sockets each, opened 100 at a time per process); the harness process only waits.`,
      `Each agent identifies with capabilities and sends {"type":"ping"} every ${heartbeatMs / 1000} s (random phase); uWS also sends its own protocol pings. CPU and RSS are read ${settleMs} ms after a step settles, over ${windowMs} ms.`,
      `RSS is the median of one reading per second over each ${windowMs} ms window. RSS per agent, least-squares slope over all steps: ${fmt(slopeKiBPerAgent)} KiB. Agents in 2 GiB: (2048 MiB − RSS with no agents) ÷ that slope: about ${Math.floor(fitIn2GiB / 1000) * 1000 > 0 ? (Math.floor(fitIn2GiB / 1000) * 1000).toLocaleString('en-US') : fmt(fitIn2GiB)} idle agents (extrapolated, linear).`,
    ];
    if (top < wanted[wanted.length - 1]) {
      notes.push(`The top step is ${top.toLocaleString('en-US')}, not ${wanted[wanted.length - 1].toLocaleString('en-US')}: the hard open-file limit here is ${fdCeiling + fdHeadroom} and this process cannot raise it (no CAP_SYS_RESOURCE); ${fdHeadroom} fds are left for the hub's files.`);
    }
    return {
      status: 'measured',
      tables: [
        {
          title: `Idle agents on one hub (durable; heartbeat every ${heartbeatMs / 1000} s)`,
          columns: ['agents', 'identifies/s', 'connect ms', 'hub CPU ms per identify', 'hub RSS MiB', 'KiB per agent', 'hub CPU cores idle', 'heartbeats/s'],
          rows,
        },
        {
          title: `Heartbeat cost at ${top.toLocaleString('en-US')} agents (${heartbeatRounds} alternating rounds of ${windowMs} ms at the 30 s interval and at an interval where the fleet sends about ${fastPingsPerSec}/s)`,
          columns: ['pings/s answered', 'hub CPU cores at 30 s interval', 'hub CPU cores at fast interval', 'CPU µs per heartbeat'],
          rows: [[fmt(heartbeat.pingsPerSec), fmt(heartbeat.idleCores), fmt(heartbeat.fastCores), fmt(heartbeat.cpuUsPerPing)]],
        },
      ],
      metrics,
      notes,
    };
  },
};

async function medianRssOver(hub: HubProcess, windowMs: number): Promise<number> {
  const readings: number[] = [];
  const end = performance.now() + windowMs;
  while (performance.now() < end) {
    readings.push(hub.rssMiB());
    await sleep(Math.min(1000, Math.max(0, end - performance.now())));
  }
  readings.sort((a, b) => a - b);
  return readings[Math.floor(readings.length / 2)];
}

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance > 0 ? covariance / variance : NaN;
}
