// Latency at light load: one task at a time, idle agents waiting for it. The floor under
// every lifecycle figure: HTTP submit, the scheduling decision, one durable write of the task
// already assigned to an idle agent, and the frame on the agent's socket.
import { agentCapabilities } from '../lib/task-fixture.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { withHub } from '../lib/hub-session.ts';
import type { Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';
import { probeFsync } from '../lib/fsync-probe.ts';
import { probeQueueCommit } from '../lib/queue-commit-probe.ts';

const idleAgents = 10;
const pauseMs = 2;

export const latencyScenario: Scenario = {
  name: 'latency',
  description: `light load: one task at a time, ${idleAgents} idle agents; submit → task_assign p50/p99`,
  async run(ctx) {
    const tasks = ctx.quick ? 200 : 2000;
    const warmup = ctx.quick ? 50 : 200;
    // The floor under the figures below, measured now: the disk alone, then the store alone.
    ctx.progress.stage('fsync probe and queue commit probe (the store alone, no hub)');
    const fsync = probeFsync(ctx.quick ? 200 : 500);
    const queueCommit = await probeQueueCommit(ctx.quick ? 100 : 300, 20, pauseMs);
    const { value } = await withHub({ label: 'latency', progress: ctx.progress }, async ({ hub }) => {
      const [client] = await startHubClients(hub, 1, 'latency-client', 1);
      try {
        await client.call('connectAgents', {
          specs: agentSpecs(idleAgents, () => agentCapabilities),
          options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
        });
        ctx.progress.stage(`${idleAgents} agents idle; ${warmup} warm-up tasks, then ${tasks} one at a time`);
        await client.call('submitSerial', { stage: 'warmup', count: warmup, pauseMs });
        const serial = await client.call('submitSerial', { stage: 'serial', count: tasks, pauseMs });
        const figures = await client.call('stage', 'serial');
        await client.call('closeAgents');
        return { serial, figures };
      } finally {
        await closeClients([client]);
      }
    });
    const { figures, serial } = value;
    const row = (name: string, s: { p50: number; p99: number; p999: number; max: number; mean: number }) =>
      [name, fmt(s.p50), fmt(s.p99), fmt(s.p999), fmt(s.max), fmt(s.mean)];
    return {
      status: 'measured',
      tables: [{
        title: `One task at a time (durable; ${idleAgents} idle agents; ${tasks} tasks after ${warmup} warm-up; ${pauseMs} ms pause between tasks)`,
        columns: ['interval', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'mean ms'],
        rows: [
          row('submit → task_assign on the socket', figures.assignMs),
          row('submit → HTTP 201 reply', serial.httpMs),
          row('submit → task_ack complete', figures.completeMs),
          row('floor: queue alone, submit written assigned + flushed', queueCommit),
          row('floor: disk alone, 4 KiB write + fsync', fsync),
        ],
      }],
      metrics: {
        'assignP50Ms': figures.assignMs.p50, 'assignP99Ms': figures.assignMs.p99, 'assignP999Ms': figures.assignMs.p999,
        'replyP50Ms': serial.httpMs.p50, 'completeP50Ms': figures.completeMs.p50, 'completeP99Ms': figures.completeMs.p99,
        'queueCommitP50Ms': queueCommit.p50, 'queueCommitP99Ms': queueCommit.p99, 'fsyncP50Ms': fsync.p50, 'fsyncP99Ms': fsync.p99,
        'answeredAssigned': serial.answeredAssigned,
      },
      notes: [
        'Processes: hub 1; one load client holding the agents and the submitter (one task at a time, so they never compete); the harness process only waits.',
        `${serial.answeredAssigned} of ${tasks} submits were answered \`assigned\`: written already assigned to an idle agent in the submit's own transaction, so submit → task_assign holds one durable LMDB commit (two syncs: data, then the meta page).`,
        `Goal (issue 12): submit → task_assign p50 < 1 ms (${fmt(figures.assignMs.p50)}), p99 within 1 ms of the disk's 4 KiB write + fsync p99 (${fmt(figures.assignMs.p99)} against ${fmt(fsync.p99)} + 1).`,
        'The floor rows: the queue alone in the harness process (same task, same 2 ms pause, accept and complete untimed), and the disk alone, both just before the hub started.',
      ],
    };
  },
};
