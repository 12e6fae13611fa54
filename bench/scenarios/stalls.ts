// Assignment latency while a backup and a compaction run (issue 9, scenario 5; issue 13).
// For each store size (100k tasks; with --large also 1M; STALLS_TASKS=n[,n…] to choose):
// submit → task_assign p99 idle, then during backups, then during compactions, on the same
// store and hub; the longest write pause a compaction's swap took; backup MB/s; the time an
// online restore takes until the hub serves again. The last table sets each figure against
// its goal (p99 during a backup ≤ 2× idle, no compaction write pause over 50 ms).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../lib/child-process.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { HubHttp } from '../lib/hub-http.ts';
import { withHub } from '../lib/hub-session.ts';
import type { BenchContext, ResultTable, Scenario } from '../lib/scenario.ts';
import { agentCapabilities } from '../lib/task-fixture.ts';
import { fmt } from '../lib/table-format.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import type { QueueBuildInput, QueueBuildOutput } from '../workers/queue-build.ts';

const idleAgents = 10;
const pauseMs = 2;
const chunk = 25;
/** At most this many backups (or compactions) per stage, however few tasks each one spans. */
const maxRuns = 20;
const goals = { backupP99VsIdle: 2, writePauseMs: 50 };
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Figures {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

interface SizeResult {
  stored: number;
  idle: Figures;
  backup: Figures;
  compact: Figures;
  backups: number;
  compactions: number;
  backupMiB: number;
  backupMBps: number;
  pauses: number[];
  keysInPause: number[];
  restoreMs: number;
  load: { before: number[]; after: number[] };
  buildTasksPerSec: number;
}

export const stallsScenario: Scenario = {
  name: 'stalls',
  description: 'submit → task_assign p99 idle vs during a backup vs during a compaction; longest write pause; backup MB/s; restore time (--large adds 1M tasks)',
  async run(ctx) {
    const sizes = storeSizes(ctx);
    const results: SizeResult[] = [];
    const failures: string[] = [];
    // A size that fails (a 1M store on a loaded machine) still leaves the smaller sizes' figures.
    for (const stored of sizes) {
      try {
        results.push(await measureSize(ctx, stored));
      } catch (error) {
        if (results.length === 0 && stored === sizes.at(-1)) throw error;
        failures.push(`${stored.toLocaleString('en-US')} tasks: failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }

    const tables: ResultTable[] = results.flatMap((result) => tablesOf(result));
    tables.push({
      title: 'Against the goals (issue 13)',
      columns: ['tasks in store', 'idle p99 ms', 'backup p99 ms', 'backup ÷ idle (goal ≤ 2)', 'compaction p99 ms', 'longest write pause ms (goal ≤ 50)', 'backup MB/s', 'restore s', 'load avg during'],
      rows: results.map((r) => [
        r.stored.toLocaleString('en-US'), fmt(r.idle.p99), fmt(r.backup.p99),
        `${fmt(r.backup.p99 / r.idle.p99)} ${r.backup.p99 / r.idle.p99 <= goals.backupP99VsIdle ? 'met' : 'NOT met'}`,
        fmt(r.compact.p99), `${fmt(Math.max(...r.pauses))} ${Math.max(...r.pauses) <= goals.writePauseMs ? 'met' : 'NOT met'}`,
        fmt(r.backupMBps), fmt(r.restoreMs / 1000), `${r.load.before[0]!.toFixed(1)} → ${r.load.after[0]!.toFixed(1)}`,
      ]),
    });
    const metrics: Record<string, number> = {};
    for (const r of results) {
      const k = r.stored >= 1_000_000 ? `${r.stored / 1_000_000}m` : `${r.stored / 1000}k`;
      Object.assign(metrics, {
        [`${k}.idleP99Ms`]: r.idle.p99, [`${k}.backupP99Ms`]: r.backup.p99, [`${k}.compactP99Ms`]: r.compact.p99,
        [`${k}.maxWritePauseMs`]: Math.max(...r.pauses), [`${k}.backupMBps`]: r.backupMBps, [`${k}.restoreMs`]: r.restoreMs,
      });
    }
    return {
      status: 'measured',
      tables,
      metrics,
      notes: [
        ...failures,
        `Sizes: ${sizes.map((n) => n.toLocaleString('en-US')).join(', ')} tasks (${ctx.large ? '--large' : 'add --large for 1M'}; STALLS_TASKS=n[,n…] sets them).`,
        'Latency: one task submitted at a time (2 ms apart) by a load client over HTTP, measured to its task_assign on an idle agent\'s socket; the stored tasks need a capability no agent has, so they stay queued and only make the store large.',
        '"backups running": tasks submitted while POST /api/admin/backup runs, backups repeated until 400 tasks were measured (or 20 backups). Likewise "compactions running" with POST /api/admin/compact.',
        'A backup is timed from the copy to the rename: the copy (mdb_env_copy2, LMDB\'s own thread; by default into /dev/shm, then written to the backup dir at backup_write_mb_per_s, 50 MB/s, hashed on the way, on a nice-19 worker thread), the read-only check of the copy, the manifest. MB/s is its size ÷ that time, so the write budget bounds it. AGENTCOM_BACKUP_STAGING_DIR=off runs the direct copy for comparison.',
        'Write pause: how long the compaction held writes for its swap (wait for writes in flight, replay the last journalled keys onto the copy and sync them, two renames; the folder sync after it delays acknowledgements, not writes). The keys replayed inside the pause are listed with it.',
        'Restore: POST /api/admin/restore of the newest backup until GET /api/admin/storage-health shows it done (hash check, storage restart through the supervision tree, reopen).',
        'On a shared machine every figure includes other processes\' contention: compare the load average column; a load above 2 on 2 cores means the bench was competing for CPU and disk.',
      ],
    };
  },
};

function storeSizes(ctx: BenchContext): number[] {
  if (process.env.STALLS_TASKS) return process.env.STALLS_TASKS.split(',').map((n) => Number(n.trim())).filter((n) => n > 0);
  if (ctx.quick) return [10_000];
  return ctx.large ? [100_000, 1_000_000] : [100_000];
}

async function measureSize(ctx: BenchContext, stored: number): Promise<SizeResult> {
  const samples = ctx.quick ? 100 : 400;
  const store = makeTempDir('stalls-store');
  const dataDir = join(store.path, 'data');
  const label = stored.toLocaleString('en-US');
  try {
    ctx.progress.stage(`${label}: building a store of ${label} queued tasks`);
    const built = await runChild<QueueBuildInput, QueueBuildOutput>(new URL('../workers/queue-build.ts', import.meta.url), {
      // A capability no agent here has: the stored tasks stay queued, only this scenario's tasks are assigned.
      dir: dataDir, count: stored, concurrency: 1024, capabilitySets: [['stored-only']],
    });
    const loadBefore = loadavg();
    const { value } = await withHub({ label: 'stalls', progress: ctx.progress, dataDir }, async ({ hub }) => {
      const http = new HubHttp(hub.url, hub.adminToken, 4);
      const [client] = await startHubClients(hub, 1, 'stalls-client', 1);
      try {
        await client.call('connectAgents', {
          specs: agentSpecs(idleAgents, () => agentCapabilities),
          options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
        });
        await client.call('submitSerial', { stage: 'warmup', count: 100, pauseMs });
        ctx.progress.stage(`${label}: idle, ${samples} tasks one at a time`);
        await client.call('submitSerial', { stage: 'idle', count: samples, pauseMs });
        const idle = (await client.call('stage', 'idle')).assignMs as Figures;

        // Submit one at a time for as long as the operation runs; repeat it until enough samples.
        const during = async (stage: string, path: string) => {
          const runs: Array<Record<string, any>> = [];
          let taken = 0;
          while (taken < samples && runs.length < maxRuns) {
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
        ctx.progress.stage(`${label}: during backups`);
        const backups = await during('backup', '/api/admin/backup');
        ctx.progress.stage(`${label}: during compactions`);
        const compactions = await during('compact', '/api/admin/compact');

        ctx.progress.stage(`${label}: online restore of the newest backup`);
        const restoreStarted = nowMs();
        const restoring = await http.post('/api/admin/restore', {});
        if (restoring.status !== 200) throw new Error(`restore answered ${restoring.status} ${JSON.stringify(restoring.body)}`);
        let restoreMs = NaN;
        for (let i = 0; i < 60_000; i++) {
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
    return {
      stored,
      idle,
      backup: backups.figures,
      compact: compactions.figures,
      backups: backups.runs.length,
      compactions: compactions.runs.length,
      backupMiB: (backupRuns[0]?.manifest.size_bytes ?? 0) / 1024 / 1024,
      backupMBps: median(mbPerSec),
      pauses: compactions.runs.map((run) => run.run.write_pause_ms as number),
      keysInPause: compactions.runs.map((run) => run.run.keys_replayed_in_pause as number),
      restoreMs,
      load: { before: loadBefore, after: loadavg() },
      buildTasksPerSec: built.tasksPerSec,
    };
  } finally {
    store.remove();
  }
}

function tablesOf(r: SizeResult): ResultTable[] {
  const label = r.stored.toLocaleString('en-US');
  const row = (name: string, figures: Figures, ratio: boolean) =>
    [name, figures.count, fmt(figures.p50), fmt(figures.p99), fmt(figures.max), ratio ? `${fmt(figures.p99 / r.idle.p99)}×` : ''];
  return [
    {
      title: `${label} tasks: submit → task_assign, one task at a time (${idleAgents} idle agents, ${pauseMs} ms between tasks; load ${r.load.before.map((n) => n.toFixed(2)).join(' ')} → ${r.load.after.map((n) => n.toFixed(2)).join(' ')})`,
      columns: ['while', 'tasks', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs idle'],
      rows: [row('idle', r.idle, false), row(`backups running (${r.backups})`, r.backup, true), row(`compactions running (${r.compactions})`, r.compact, true)],
    },
    {
      title: `${label} tasks: storage operations`,
      columns: ['figure', 'value'],
      rows: [
        ['store build rate (1,024 concurrent durable submits)', `${fmt(r.buildTasksPerSec)} tasks/s`],
        ['backup size (compacting copy)', `${fmt(r.backupMiB)} MiB`],
        ['backup rate, median of runs (copy + budgeted write + check + manifest)', `${fmt(r.backupMBps)} MB/s`],
        ['longest write pause during a compaction swap', `${fmt(Math.max(...r.pauses))} ms`],
        ['write pauses, each compaction (ms)', r.pauses.map((p) => fmt(p)).join(', ')],
        ['keys replayed inside each pause', r.keysInPause.join(', ')],
        ['online restore: request → serving again', `${fmt(r.restoreMs)} ms`],
      ],
    },
  ];
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
