// Restart with a big queue: the hub started on a store of 1M queued tasks (time to
// /health ready, time to the first assignment), then killed with SIGKILL while agents
// complete tasks and a client submits, and started again: time to ready and to the
// first assignment, and a check that no acknowledged submit or completion was lost.
import { runChild } from '../lib/child-process.ts';
import { agentSpecs, closeClients, startHubClients } from '../lib/hub-clients.ts';
import { withHub } from '../lib/hub-session.ts';
import type { Metrics, Scenario } from '../lib/scenario.ts';
import { agentCapabilities } from '../lib/task-fixture.ts';
import { fmt } from '../lib/table-format.ts';
import { makeTempDir } from '../lib/temp-dir.ts';
import type { QueueBuildInput, QueueBuildOutput } from '../workers/queue-build.ts';

const agentCount = 20;
const submitConcurrency = 16;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nowMs = () => performance.timeOrigin + performance.now();

export const restartScenario: Scenario = {
  name: 'restart',
  description: 'hub on 1M queued tasks: time to ready and to first assignment; SIGKILL mid-work, restart, nothing acknowledged lost',
  async run(ctx) {
    const queued = ctx.quick ? 100_000 : 1_000_000;
    const workMs = ctx.quick ? 2000 : 5000;

    const { readyMs: emptyReadyMs } = (await withHub({ label: 'restart-empty', progress: ctx.progress }, async (session) => session)).value;
    ctx.progress.stage(`empty store: ready in ${fmt(emptyReadyMs)} ms after spawn`);

    const store = makeTempDir('restart-store');
    try {
      ctx.progress.stage(`building a store of ${queued.toLocaleString('en-US')} queued tasks`);
      const build = await runChild<QueueBuildInput, QueueBuildOutput>(new URL('../workers/queue-build.ts', import.meta.url), {
        dir: store.path, count: queued, concurrency: 1024,
      });
      const { value } = await withHub({ label: 'restart', progress: ctx.progress, dataDir: store.path }, async (session) => {
        const first = session.hub;
        const [agents, submitter] = await startHubClients(first, 2, 'restart-client', submitConcurrency);
        try {
          await agents.call('mark', first.spawnedAt);
          await agents.call('connectAgents', {
            specs: agentSpecs(agentCount, () => agentCapabilities),
            options: { mode: 'complete', pingIntervalMs: 30_000, reconnect: true, recordAckedIds: true },
          });
          const firstAssignMs = (await agents.call('firstAssignSinceMark', 60_000)) - first.spawnedAt;
          ctx.progress.stage(`${queued.toLocaleString('en-US')} queued: ready ${fmt(session.readyMs)} ms, first assignment ${fmt(firstAssignMs)} ms after spawn; working ${workMs} ms, then SIGKILL`);

          const submitting = submitter.call('submit', {
            stage: 'during-kill', count: 1e9, shape: 'closed', concurrency: submitConcurrency, stopOnError: true, returnIds: true,
          });
          await sleep(workMs);
          const killedAt = nowMs();
          await first.kill();
          const submitted = await submitting;
          const ackedCompletes = await agents.call('ackedCompleteIds');
          ctx.progress.stage(`killed: ${submitted.accepted} submits and ${ackedCompletes.length} completions acknowledged before the kill; restarting`);

          const second = await session.restart();
          await agents.call('mark', second.spawnedAt);
          const readyAgainMs = (await second.waitReady()) - second.spawnedAt;
          const firstAssignAgainMs = (await agents.call('firstAssignSinceMark', 120_000)) - second.spawnedAt;
          ctx.progress.stage(`restarted: ready ${fmt(readyAgainMs)} ms, first assignment ${fmt(firstAssignAgainMs)} ms after spawn; checking acknowledged work`);
          const submitsCheck = await submitter.call('checkTasks', { ids: submitted.ids, expect: 'exists', concurrency: 32 });
          const completesCheck = await submitter.call('checkTasks', { ids: ackedCompletes, expect: 'completed', concurrency: 32 });
          await agents.call('closeAgents');
          return {
            readyMs: session.readyMs, firstAssignMs, killToSpawnMs: second.spawnedAt - killedAt, readyAgainMs, firstAssignAgainMs,
            submitted, ackedCompletes: ackedCompletes.length, submitsCheck, completesCheck,
          };
        } finally {
          await closeClients([agents, submitter]);
        }
      });
      const lostSubmits = value.submitsCheck.missing;
      const lostCompletes = value.completesCheck.missing + value.completesCheck.wrongStatus;
      const metrics: Metrics = {
        emptyReadyMs, readyMs: value.readyMs, firstAssignMs: value.firstAssignMs, readyAgainMs: value.readyAgainMs,
        firstAssignAgainMs: value.firstAssignAgainMs, ackedSubmits: value.submitted.accepted, ackedCompletes: value.ackedCompletes,
        lostSubmits, lostCompletes, dataFileMiB: build.dataFileBytes / 1024 ** 2,
      };
      return {
        status: 'measured',
        tables: [
          {
            title: `Start and restart (durable; times from spawning \`node runtime/bin/agentcom.mjs start\`; data.mdb ${fmt(build.dataFileBytes / 1024 ** 2)} MiB)`,
            columns: ['start', 'queued tasks', 'to /health ready ms', 'to first task_assign ms'],
            rows: [
              ['fresh, empty store', 0, fmt(emptyReadyMs), ''],
              ['fresh, big store', queued.toLocaleString('en-US'), fmt(value.readyMs), fmt(value.firstAssignMs)],
              [`after SIGKILL mid-work (spawned ${fmt(value.killToSpawnMs)} ms after the kill)`, `≈${queued.toLocaleString('en-US')}`, fmt(value.readyAgainMs), fmt(value.firstAssignAgainMs)],
            ],
          },
          {
            title: `Acknowledged before the SIGKILL, read back after the restart (GET /api/tasks/:id each)`,
            columns: ['acknowledged', 'count', 'lost', 'examples'],
            rows: [
              ['submits (HTTP 201)', value.submitted.accepted, value.submitsCheck.missing, value.submitsCheck.examples.join('; ')],
              ['completions (task_ack complete)', value.ackedCompletes, lostCompletes, value.completesCheck.examples.join('; ')],
            ],
          },
        ],
        metrics,
        notes: [
          `Processes: hub 1 (two in turn); agents 1 (${agentCount} \`ws\` sockets that reconnect every 50 ms and recover held tasks with task_recovering, as the sidecar does); submitter 1 (${submitConcurrency} POSTs in flight during the work phase); the store is built beforehand by one more process (LmdbTaskQueue in-process, 1,024 concurrent durable submits, ${fmt(build.tasksPerSec)} tasks/s). The harness process only waits.`,
          'Ready = the first 200 from GET /health, polled every 10 ms. The first assignment needs the agents to connect after that, so it includes their connect and identify.',
          'Time to ready includes Node start and tsx compiling the TypeScript sources (the "empty store" row), then opening the store and rebuilding its in-memory indexes.',
          lostSubmits + lostCompletes === 0 ? 'Nothing acknowledged was lost.' : `LOST ACKNOWLEDGED WORK: ${lostSubmits} submits, ${lostCompletes} completions.`,
        ],
      };
    } finally {
      store.remove();
    }
  },
};
