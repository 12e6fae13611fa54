// The whole hub, durable: 100 simulated agents on /ws, tasks submitted over HTTP, each
// assigned, accepted and completed over the socket. Three submit shapes with the same
// task count: 64 POSTs in flight ("single"), waves of 1,000 concurrent POSTs ("batched"),
// and POST /api/tasks/bulk of 1,000 tasks at a time ("bulk", against BullMQ's addBulk).
// --profile runs the hub under --cpu-prof.
import { agentCapabilities, fixturePayloadBytes } from '../lib/task-fixture.ts';
import { lifecycleLoad } from '../lib/comparison-load.ts';
import { profileTables } from '../lib/cpu-profile.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { withHub } from '../lib/hub-session.ts';
import { measureLifecycleStage } from '../lib/lifecycle-stage.ts';
import { ratePerSec } from '../lib/sample-stats.ts';
import type { BenchContext, Metrics, ResultTable, Scenario } from '../lib/scenario.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import { TestCa } from '../../test/support/test-pki.ts';
import { readFileSync } from 'node:fs';
import { fmt } from '../lib/table-format.ts';
import { metricsCostTable } from '../lib/metrics-cost.ts';
import type { SubmitPlan } from '../lib/task-submitter.ts';

export const lifecycleStages = [
  { key: 'single', label: `single: ${lifecycleLoad.submitConcurrency} POSTs in flight`, plan: { shape: 'closed', concurrency: lifecycleLoad.submitConcurrency } },
  { key: 'batched', label: `batched: waves of ${lifecycleLoad.waveSize} concurrent POSTs`, plan: { shape: 'waves', waveSize: lifecycleLoad.waveSize } },
] as const;

/** The lifecycle scenario's own third shape (the cluster scenario runs the two above). */
const bulkStage = { key: 'bulk', label: `bulk: POST /api/tasks/bulk × ${lifecycleLoad.waveSize}`, plan: { shape: 'bulk', waveSize: lifecycleLoad.waveSize } } as const;

interface LifecycleRun {
  rows: ResultTable['rows'];
  profile: Awaited<ReturnType<typeof withHub>>['profile'];
}

/** Both stages on one hub; `tls` serves https and wss with a throwaway certificate. */
async function runStages(ctx: BenchContext, metrics: Metrics, tls: boolean): Promise<LifecycleRun> {
  const tasks = ctx.quick ? lifecycleLoad.quickTasks : lifecycleLoad.tasks;
  const warmup = ctx.quick ? lifecycleLoad.quickWarmupTasks : lifecycleLoad.warmupTasks;
  const certificates = tls ? benchCertificate() : null;
  try {
    const label = tls ? 'lifecycle-tls' : 'lifecycle';
    const hubOptions = certificates ? { tls: certificates.files } : undefined;
    const { value: rows, profile } = await withHub({ label, progress: ctx.progress, profile: ctx.profile, hub: hubOptions }, async ({ hub }) => {
      const [agents, submitter] = await startHubClients(hub, 2, 'lifecycle-client', lifecycleLoad.waveSize);
      try {
        const connected = await agents.call('connectAgents', {
          specs: agentSpecs(lifecycleLoad.agents, () => agentCapabilities),
          options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: false, recordAckedIds: false },
        });
        ctx.progress.stage(`${connected.connected} agents identified in ${fmt(connected.elapsedMs)} ms${tls ? ' over wss' : ''}; warm-up ${warmup} tasks`);
        await submitter.call('submit', { stage: 'warmup', count: warmup, shape: 'closed', concurrency: lifecycleLoad.submitConcurrency });
        await agents.call('waitFor', 'warmup', 'completed', warmup, 120_000);
        const rows: ResultTable['rows'] = [];
        for (const stage of [...lifecycleStages, bulkStage]) {
          ctx.progress.stage(`${stage.label}${tls ? ' (TLS)' : ''}: ${tasks} tasks`);
          const plan: SubmitPlan = { stage: stage.key, count: tasks, ...stage.plan };
          const { figures, submitted, tasksPerSec, hubCpuCores, hubCpuMsPerTask, hubRssMiB: rss } = await measureLifecycleStage(hub, agents, submitter, plan);
          const prefix = `${tls ? 'tls.' : ''}${stage.key}.`;
          Object.assign(metrics, {
            [`${prefix}tasks`]: tasks,
            [`${prefix}tasksPerSec`]: tasksPerSec,
            [`${prefix}submitsPerSec`]: ratePerSec(submitted.accepted, submitted.lastReplyAt - submitted.firstSubmitAt),
            [`${prefix}assignP50Ms`]: figures.assignMs.p50, [`${prefix}assignP99Ms`]: figures.assignMs.p99, [`${prefix}assignP999Ms`]: figures.assignMs.p999,
            [`${prefix}completeP50Ms`]: figures.completeMs.p50, [`${prefix}completeP99Ms`]: figures.completeMs.p99, [`${prefix}completeP999Ms`]: figures.completeMs.p999,
            [`${prefix}hubCpuCores`]: hubCpuCores, [`${prefix}hubCpuMsPerTask`]: hubCpuMsPerTask, [`${prefix}hubRssMiB`]: rss,
          });
          ctx.progress.stage(`${stage.key}${tls ? ' (TLS)' : ''}: ${Math.round(tasksPerSec)} tasks/s end to end`);
          rows.push([
            ctx.tls ? `${stage.label}, ${tls ? 'https + wss' : 'clear text'}` : stage.label, tasks, fmt(tasksPerSec),
            fmt(figures.assignMs.p50), fmt(figures.assignMs.p99), fmt(figures.assignMs.p999),
            fmt(figures.completeMs.p50), fmt(figures.completeMs.p99), fmt(figures.completeMs.p999),
            fmt(submitted.httpMs.p50), fmt(hubCpuCores), fmt(hubCpuMsPerTask), fmt(rss),
          ]);
        }
        await agents.call('closeAgents');
        return rows;
      } finally {
        await closeClients([agents, submitter]);
      }
    });
    return { rows, profile };
  } finally {
    certificates?.remove();
  }
}

/** A throwaway CA and a certificate for 127.0.0.1, made with openssl (test/support/test-pki.ts). */
function benchCertificate(): { files: { cert: string; key: string; caPem: string }; remove(): void } {
  const dir = makeTempDir('lifecycle-tls-ca');
  const ca = new TestCa(dir.path, 'bench');
  const server = ca.issueServer('hub');
  return { files: { ...server, caPem: readFileSync(ca.cert, 'utf8') }, remove: () => dir.remove() };
}

export const lifecycleScenario: Scenario = {
  name: 'lifecycle',
  description: `whole hub, durable: ${lifecycleLoad.agents} agents on /ws, HTTP submit → assign → accept → complete; tasks/s and latency (--tls: also over https and wss)`,
  async run(ctx) {
    const tasks = ctx.quick ? lifecycleLoad.quickTasks : lifecycleLoad.tasks;
    const warmup = ctx.quick ? lifecycleLoad.quickWarmupTasks : lifecycleLoad.warmupTasks;
    const metrics: Metrics = {};
    const clear = await runStages(ctx, metrics, false);
    const secure = ctx.tls ? await runStages(ctx, metrics, true) : null;
    const tables: ResultTable[] = [{
      title: `Task lifecycle through the hub (durable; ${lifecycleLoad.agents} agents; ${tasks} tasks per stage after ${warmup} warm-up; latencies in ms from the submitter's clock to the agent's, same machine)`,
      columns: ['submit shape', 'tasks', 'tasks/s end to end', 'assign p50', 'assign p99', 'assign p99.9', 'complete p50', 'complete p99', 'complete p99.9', 'POST p50', 'hub CPU cores', 'hub CPU ms/task', 'hub RSS MiB'],
      rows: secure ? clear.rows.flatMap((row, index) => [row, secure.rows[index]!]) : clear.rows,
    }];
    if (secure) {
      tables.push({
        title: 'What TLS costs per task (hub CPU: the hub process, all threads; TLS hub on a fresh data dir after the clear-text one)',
        columns: ['submit shape', 'tasks/s clear', 'tasks/s TLS', 'TLS ÷ clear', 'hub CPU ms/task clear', 'hub CPU ms/task TLS', 'TLS cost ms/task'],
        rows: lifecycleStages.map((stage) => {
          const clearRate = metrics[`${stage.key}.tasksPerSec`]!;
          const tlsRate = metrics[`tls.${stage.key}.tasksPerSec`]!;
          const clearCpu = metrics[`${stage.key}.hubCpuMsPerTask`]!;
          const tlsCpu = metrics[`tls.${stage.key}.hubCpuMsPerTask`]!;
          return [stage.label, fmt(clearRate), fmt(tlsRate), fmt(tlsRate / clearRate), fmt(clearCpu), fmt(tlsCpu), fmt(tlsCpu - clearCpu)];
        }),
      });
    }
    if (clear.profile) tables.push(...profileTables(clear.profile, 'lifecycle, both stages and the warm-up'));
    if (secure?.profile) tables.push(...profileTables(secure.profile, 'lifecycle over TLS, both stages and the warm-up'));
    // Four more hubs of the same load: skipped under --profile, whose run is for the profile of this one.
    if (!ctx.profile) tables.push(await metricsCostTable(ctx, tasks, warmup, metrics));
    return {
      status: 'measured',
      tables,
      metrics,
      notes: [
        'Processes: hub 1 (node runtime/bin/agentcom.mjs start, durable LMDB, log level info to a file; lmdb-js commits on its own thread), agents 1 (100 `ws` sockets), submitter 1 (node:http keep-alive); the harness process only waits.',
        `Task: ${fixturePayloadBytes} B JSON body plus submit stamp, 1 needed capability, priority normal. Agents answer task_assign with task_accepted and task_complete at once.`,
        'tasks/s end to end: tasks ÷ (first submit → last completion acknowledged). assign: submit → task_assign frame; complete: submit → task_ack {status: complete} (the completion is on disk).',
        'Hub CPU from /proc/<pid>/stat (utime + stime, all threads) over the stage; 1.0 = one core busy.',
        ...(secure ? ['TLS: uWS SSLApp (BoringSSL), EC P-256 certificate from a throwaway CA; agents on wss and the submitter on https keep-alive, all verifying it. Sockets and keep-alive connections are reused, so the cost is mostly per-record encryption, not handshakes.'] : []),
      ],
    };
  },
};
