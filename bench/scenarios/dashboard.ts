// The dashboard under load: a real hub completing thousands of tasks/s for agents in a
// child process, and the built page in Chromium. Measures what the page receives on
// /ws/dashboard (frames/s, bytes/s, events per frame) and its main-thread busy time
// (CDP Performance.getMetrics TaskDuration and ScriptDuration), idle and under load.
//
// This file is also the load worker: run as a child, it connects the agents and submits.
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CDPSession } from 'playwright-core';
import WebSocket from 'ws';
import { startHub } from '../../runtime/boot.ts';
import { resolveConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { launchBrowser, serveDashboard } from '../../test/support/browser.ts';
import { serveChild, startChild } from '../lib/child-process.ts';
import type { Metrics, ScenarioOutcome, Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';
import { makeTempDir } from '../lib/temp-dir.ts';

interface LoadInput {
  hubUrl: string;
  token: string;
  agents: number;
  submitConcurrency: number;
  durationMs: number;
}

interface LoadOutput {
  submitted: number;
  completed: number;
  submitErrors: number;
  elapsedMs: number;
}

interface PageFigures {
  seconds: number;
  frames: number;
  bytes: number;
  events: number;
  taskSeconds: number;
  scriptSeconds: number;
  tasksCompleted: number;
}

const isWorker = process.argv[1] === fileURLToPath(import.meta.url);

export const dashboardScenario: Scenario = {
  name: 'dashboard',
  description: 'dashboard page in Chromium while the hub completes thousands of tasks/s: frames/s, bytes/s, main-thread busy time',
  async run(ctx) {
    const dir = makeTempDir('dashboard');
    const config = resolveConfig({ host: '127.0.0.1', port: 0, data_dir: dir.path, log_level: 'error' });
    if (!config.ok) throw new Error(config.detail);
    const running = await startHub({ config: config.value, logger: createLogger('error', new Writable({ write: (_c, _e, done) => done() })) });
    const browser = await launchBrowser();
    const serving = await serveDashboard(browser.context, running.url);
    try {
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
      const frames = { count: 0, bytes: 0, events: 0 };
      cdp.on('Network.webSocketFrameReceived', ({ response }) => {
        frames.count += 1;
        frames.bytes += Buffer.byteLength(response.payloadData);
        const match = /^\{"type":"events","data":\[/.test(response.payloadData);
        if (match) frames.events += (JSON.parse(response.payloadData) as { data: unknown[] }).data.length;
      });
      let completed = 0;
      running.hub.dashboard.onEvent((event) => {
        if (event.type === 'task_event' && event.event === 'completed') completed += 1;
      });
      await page.goto(`${running.url}/#token=${running.adminToken}`);
      await page.waitForSelector('body[data-feed="live"]');

      const measureMs = ctx.quick ? 3_000 : 10_000;
      const warmupMs = ctx.quick ? 1_000 : 3_000;
      const window = async (): Promise<PageFigures> => {
        const before = { ...frames, completed, metrics: await metricsOf(cdp), at: performance.now() };
        await new Promise((resolve) => setTimeout(resolve, measureMs));
        const after = await metricsOf(cdp);
        return {
          seconds: (performance.now() - before.at) / 1000,
          frames: frames.count - before.count,
          bytes: frames.bytes - before.bytes,
          events: frames.events - before.events,
          taskSeconds: after.TaskDuration - before.metrics.TaskDuration,
          scriptSeconds: after.ScriptDuration - before.metrics.ScriptDuration,
          tasksCompleted: completed - before.completed,
        };
      };

      ctx.progress.stage(`idle page, ${measureMs} ms`);
      const idle = await window();

      const input: LoadInput = {
        hubUrl: running.url, token: running.adminToken ?? '', agents: 64, submitConcurrency: 128, durationMs: warmupMs + measureMs + 1_000,
      };
      ctx.progress.stage(`${input.agents} agents, ${input.submitConcurrency} submits in flight: ${warmupMs} ms warm-up, ${measureMs} ms measured`);
      const child = startChild<LoadInput, LoadOutput>(new URL(import.meta.url), input, 120_000);
      await child.ready;
      await new Promise((resolve) => setTimeout(resolve, warmupMs));
      const loaded = await window();
      const load = await child.result;

      const metrics: Metrics = {};
      const rows = ([['idle', idle], ['under load', loaded]] as const).map(([stage, figures]) => {
        const key = stage === 'idle' ? 'idle' : 'load';
        const perSec = (n: number) => n / figures.seconds;
        metrics[`${key}.tasksPerSec`] = perSec(figures.tasksCompleted);
        metrics[`${key}.framesPerSec`] = perSec(figures.frames);
        metrics[`${key}.kibPerSec`] = perSec(figures.bytes) / 1024;
        metrics[`${key}.mainThreadBusyPct`] = (figures.taskSeconds / figures.seconds) * 100;
        metrics[`${key}.scriptPct`] = (figures.scriptSeconds / figures.seconds) * 100;
        return [
          stage, fmt(perSec(figures.tasksCompleted)), fmt(perSec(figures.frames)), fmt(perSec(figures.bytes) / 1024),
          fmt(figures.frames ? figures.events / figures.frames : 0), fmt(metrics[`${key}.mainThreadBusyPct`]), fmt(metrics[`${key}.scriptPct`]),
        ];
      });
      return {
        status: 'measured',
        tables: [{
          title: `Dashboard page under load (${fmt(measureMs / 1000)} s windows; ${input.agents} agents, ${input.submitConcurrency} HTTP submits in flight; page served ${serving.mode === 'hub' ? 'by the hub' : 'through the test proxy'})`,
          columns: ['stage', 'tasks/s', 'frames/s', 'KiB/s', 'events/frame', 'main thread busy %', 'script %'],
          rows,
        }],
        metrics,
        notes: [
          'Processes: the hub runs in the harness process; the agents (one WebSocket each, completing every task on assignment) and the HTTP submitter run in one child; Chromium renders the page.',
          'Frames and bytes are what the page received on /ws/dashboard (CDP Network.webSocketFrameReceived), including snapshots; HTTP refreshes the page makes are not counted.',
          'Busy time is CDP Performance.getMetrics TaskDuration (all main-thread tasks: script, style, layout, paint) and ScriptDuration over the window.',
          `Load worker: ${load.submitted} submitted, ${load.completed} completed, ${load.submitErrors} submit errors in ${fmt(load.elapsedMs / 1000)} s.`,
        ],
      } satisfies ScenarioOutcome;
    } finally {
      await browser.close();
      serving.close();
      await running.stop();
      dir.remove();
    }
  },
};

async function metricsOf(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((metric) => [metric.name, metric.value]));
}

/** The worker: agents that complete each task as soon as it is assigned, and a closed-loop submitter. */
async function runLoad(input: LoadInput, ready: () => void): Promise<LoadOutput> {
  const wsUrl = `${input.hubUrl.replace('http', 'ws')}/ws`;
  const sockets = await Promise.all(Array.from({ length: input.agents }, (_, i) => connectAgent(wsUrl, `bench-agent-${i}`, input.token)));
  let completed = 0;
  for (const socket of sockets) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; task_id?: string; generation?: number };
      if (frame.type !== 'task_assign') return;
      socket.send(JSON.stringify({ type: 'task_accepted', task_id: frame.task_id }));
      socket.send(JSON.stringify({ type: 'task_complete', task_id: frame.task_id, generation: frame.generation, result: { status: 'success' } }));
      completed += 1;
    });
  }
  ready();
  const started = performance.now();
  let submitted = 0;
  let submitErrors = 0;
  const submitter = async () => {
    while (performance.now() - started < input.durationMs) {
      const response = await fetch(`${input.hubUrl}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${input.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ description: 'bench task', priority: ['urgent', 'high', 'normal', 'low'][submitted % 4] }),
      }).catch(() => null);
      if (response?.ok) submitted += 1;
      else submitErrors += 1;
      await response?.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: input.submitConcurrency }, submitter));
  const elapsedMs = performance.now() - started;
  for (const socket of sockets) socket.close();
  return { submitted, completed, submitErrors, elapsedMs };
}

function connectAgent(url: string, agentId: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'identify', agent_id: agentId, token, protocol_version: 1 })));
    socket.on('message', function identified(data) {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'identified') {
        socket.off('message', identified);
        resolve(socket);
      } else if (frame.type === 'error') reject(new Error(`${agentId}: ${data.toString()}`));
    });
  });
}

if (isWorker) serveChild<LoadInput, LoadOutput>(runLoad);
