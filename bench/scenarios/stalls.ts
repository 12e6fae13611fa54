// Assignment latency while a backup and a compaction run (issue 9, scenario 5; issue 13).
// On a store of 100k tasks (STALLS_TASKS to change it, e.g. 1000000): submit → task_assign
// p99 idle, then during backups, then during compactions, on the same store and hub; the
// longest write pause a compaction's swap took; backup MB/s; the time an online restore
// takes until the hub serves again.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../lib/child-process.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { HubHttp } from '../lib/hub-http.ts';
import { withHub } from '../lib/hub-session.ts';
import type { Scenario } from '../lib/scenario.ts';
import { agentCapabilities } from '../lib/task-fixture.ts';
import { fmt } from '../lib/table-format.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import type { QueueBuildInput, QueueBuildOutput } from '../workers/queue-build.ts';

const idleAgents = 10;
const pauseMs = 2;
const chunk = 25;
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Figures {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export const stallsScenario: Scenario = {
  name: 'stalls',
  description: 'submit → task_assign p99 idle vs during a backup vs during a compaction; longest write pause; backup MB/s; restore time',
  async run(ctx) {
    const stored = Number(process.env.STALLS_TASKS ?? (ctx.quick ? 10_000 : 100_000));
    const samples = ctx.quick ? 100 : 400;
    const store = makeTempDir('stalls-store');
    const dataDir = join(store.path, 'data');
    const loadBefore = loadavg();
    try {
      ctx.progress.stage(`building a store of ${stored.toLocaleString('en-US')} queued tasks`);
      await runChild<QueueBuildInput, QueueBuildOutput>(new URL('../workers/queue-build.ts', import.meta.url), {
        // A capability no agent here has: the stored tasks stay queued, only this scenario's tasks are assigned.
        dir: dataDir, count: stored, concurrency: 1024, capabilitySets: [['stored-only']],
      });
      const { value } = await withHub({ label: 'stalls', progress: ctx.progress, dataDir }, async ({ hub }) => {
        const http = new HubHttp(hub.url, hub.adminToken, 4);
        const [client] = await startHubClients(hub, 1, 'stalls-client', 1);
        try {
          await client.call('connectAgents', {
            specs: agentSpecs(idleAgents, () => agentCapabilities),
            options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
          });
          await client.call('submitSerial', { stage: 'warmup', count: 100, pauseMs });
          ctx.progress.stage(`idle: ${samples} tasks one at a time`);
          await client.call('submitSerial', { stage: 'idle', count: samples, pauseMs });
          const idle = (await client.call('stage', 'idle')).assignMs as Figures;

          // Submit one at a time for as long as the operation runs; repeat it until enough samples.
          const during = async (stage: string, path: string) => {
            const runs: Array<Record<string, any>> = [];
            let taken = 0;
            while (taken < samples && runs.length < 20) {
              let done = false;
              const operation = http.post(path, {}).then((reply) => {
                done = true;
                return reply;
              });
              while (!done) {
                await client.call('submitSerial', { stage, count: chunk, pauseMs });
                taken += chunk;
              }
              const reply = await operation;
              if (reply.status !== 200) throw new Error(`${path} answered ${reply.status} ${JSON.stringify(reply.body)}`);
              runs.push(reply.body);
            }
            return { runs, figures: (await client.call('stage', stage)).assignMs as Figures };
          };
          ctx.progress.stage('during backups');
          const backups = await during('backup', '/api/admin/backup');
          ctx.progress.stage('during compactions');
          const compactions = await during('compact', '/api/admin/compact');

          ctx.progress.stage('online restore of the newest backup');
          const restoreStarted = nowMs();
          const restoring = await http.post('/api/admin/restore', {});
          if (restoring.status !== 200) throw new Error(`restore answered ${restoring.status} ${JSON.stringify(restoring.body)}`);
          let restoreMs = NaN;
          for (let i = 0; i < 6000; i++) {
            await sleep(10);
            const health = await http.get('/api/admin/storage-health').catch(() => null);
            const recovery = health?.status === 200 ? (health.body.last_recovery as { kind?: string; at?: number } | null) : null;
            if (recovery?.kind === 'restore' && (recovery.at ?? 0) >= restoreStarted - 1000 && health?.body.busy === null) {
              restoreMs = nowMs() - restoreStarted;
              break;
            }
          }
          await client.call('closeAgents').catch(() => undefined);
          return { idle, backups, compactions, restoreMs };
        } finally {
          await closeClients([client]);
        }
      });
      const { idle, backups, compactions, restoreMs } = value;
      const backupRuns = backups.runs.map((run) => run.backup as { manifest: { size_bytes: number; duration_ms: number } });
      const mbPerSec = backupRuns.map((run) => run.manifest.size_bytes / 1024 / 1024 / (run.manifest.duration_ms / 1000));
      const pauses = compactions.runs.map((run) => run.run.write_pause_ms as number);
      const sizeMiB = (backupRuns[0]?.manifest.size_bytes ?? 0) / 1024 / 1024;
      const load = loadavg();
      const row = (name: string, figures: Figures, ratio: boolean) =>
        [name, figures.count, fmt(figures.p50), fmt(figures.p99), fmt(figures.max), ratio ? `${fmt(figures.p99 / idle.p99)}×` : ''];
      return {
        status: 'measured',
        tables: [
          {
            title: `submit → task_assign, one task at a time (${stored.toLocaleString('en-US')} tasks in the store, ${idleAgents} idle agents, ${pauseMs} ms between tasks)`,
            columns: ['while', 'tasks', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs idle'],
            rows: [row('idle', idle, false), row(`backups running (${backups.runs.length})`, backups.figures, true), row(`compactions running (${compactions.runs.length})`, compactions.figures, true)],
          },
          {
            title: 'Storage operations',
            columns: ['figure', 'value'],
            rows: [
              ['backup size (compacting copy)', `${fmt(sizeMiB)} MiB`],
              ['backup rate, median of runs (copy + read-only check + sha256)', `${fmt(median(mbPerSec))} MB/s`],
              ['longest write pause during a compaction swap', `${fmt(Math.max(...pauses))} ms`],
              ['write pauses, each compaction', pauses.map((p) => fmt(p)).join(', ')],
              ['online restore: request → serving again', `${fmt(restoreMs)} ms`],
            ],
          },
        ],
        metrics: {
          idleP99Ms: idle.p99, backupP99Ms: backups.figures.p99, compactP99Ms: compactions.figures.p99,
          maxWritePauseMs: Math.max(...pauses), backupMBps: median(mbPerSec), restoreMs,
        },
        notes: [
          `Load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${load.map((n) => n.toFixed(2)).join(' ')} (shared 2-core machine: figures under contention).`,
          'Processes: hub 1; one load client holding the agents and the submitter; the harness posts the backup, compaction and restore requests.',
          'A backup is timed from the copy to the rename: the copy (mdb_env_copy2 on a worker thread), opening it read-only, the records-against-indexes check, sha256, manifest.',
        ],
      };
    } finally {
      store.remove();
    }
  },
};

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
