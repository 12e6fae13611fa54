// Kills a writing process with SIGKILL at a random moment and checks that the store it leaves
// behind holds every acknowledged write, never goes back on one, and agrees with its own counters.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openLmdbStore } from '../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import type { TaskRecord } from '../../storage/task-record.ts';
import { taskStatuses, type TaskStatus } from '../../storage/domain/task-status.ts';
import type { WriteAck } from '../support/queue-writer-child.ts';
import { newTask } from '../support/task-factory.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childPath = fileURLToPath(new URL('../support/queue-writer-child.ts', import.meta.url));
const iterations = Number(process.env.CRASH_ITERATIONS ?? 20);
const parallelRuns = 4;
const childStartBudgetMs = 15_000;

interface KillPlan {
  seed: number;
  /** Kill once this many acks are read, or `afterMs` after the first ack, whichever comes first. */
  afterAcks: number;
  afterMs: number;
}

function planFor(iteration: number): KillPlan {
  const seed = Math.floor(Math.random() * 2 ** 31);
  // Half the runs kill on an ack count, half on a timer, so kills land both right after an ack and between acks.
  return iteration % 2 === 0
    ? { seed, afterAcks: 1 + Math.floor(Math.random() * 200), afterMs: Infinity }
    : { seed, afterAcks: Infinity, afterMs: Math.floor(Math.random() * 200) };
}

/** Runs the writer until the plan says kill, SIGKILLs it and returns every complete ack line it printed. */
function runAndKill(dir: string, plan: KillPlan): Promise<WriteAck[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childPath, dir, String(plan.seed)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let acks = 0;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    const startTimer = setTimeout(kill, childStartBudgetMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      acks += chunk.split('\n').length - 1;
      if (killTimer === undefined && Number.isFinite(plan.afterMs)) killTimer = setTimeout(kill, plan.afterMs);
      if (acks >= plan.afterAcks) kill();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(startTimer);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited on its own (code ${code}, signal ${signal}): ${stderr}`));
        return;
      }
      // The last line may be cut short by the kill; only whole lines were acknowledged.
      const lines = stdout.split('\n').slice(0, -1);
      resolve(lines.map((line) => JSON.parse(line) as WriteAck));
    });
  });
}

/** The latest acknowledged state of each task (acks of concurrent workers may print out of order). */
function latestAckByTask(acks: readonly WriteAck[]): Map<string, WriteAck> {
  const latest = new Map<string, WriteAck>();
  for (const ack of acks) {
    const seen = latest.get(ack.task_id);
    if (!seen || ack.history_len > seen.history_len) latest.set(ack.task_id, ack);
  }
  return latest;
}

function recount(records: readonly TaskRecord[]) {
  const byStatus = Object.fromEntries(taskStatuses.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const queuedByPriority: Record<string, number> = { 0: 0, 1: 0, 2: 0, 3: 0 };
  for (const record of records) {
    byStatus[record.status as TaskStatus] += 1;
    if (record.status === 'queued') queuedByPriority[String(record.priority)] += 1;
  }
  return { byStatus, queuedByPriority };
}

async function checkStoreAfterCrash(dir: string, acks: readonly WriteAck[], context: string): Promise<void> {
  const store = openLmdbStore({ path: dir });
  const queue = LmdbTaskQueue.onStore(store);
  try {
    const records = [
      ...[...store.tasks.getRange()].map((e) => e.value),
      ...[...store.deadLetters.getRange()].map((e) => e.value),
    ];

    for (const [taskId, acked] of latestAckByTask(acks)) {
      const record = queue.get(taskId);
      const where = `${context}, task ${taskId} acknowledged as ${JSON.stringify(acked)}`;
      expect(record, `${where}: missing after the crash`).to.not.equal(undefined);
      const history = record!.history;
      // A later write may have committed before the kill without its ack being printed, so the
      // record may be ahead of the ack; it must descend from it, never fall behind it.
      expect(history.length, `${where}: went back to ${record!.status}`).to.be.at.least(acked.history_len);
      expect(history[history.length - acked.history_len].event, `${where}: history rewritten`).to.equal(acked.event);
      if (history.length === acked.history_len) {
        expect([record!.status, record!.generation], where).to.deep.equal([acked.status, acked.generation]);
      }
      if (acked.status === 'completed' || acked.status === 'dead_letter') {
        expect(record!.status, `${where}: a final state was undone`).to.equal(acked.status);
      }
      if (acked.op === 'complete') expect(record!.status, `${where}: completion lost`).to.equal('completed');
    }

    const { byStatus, queuedByPriority } = queue.stats();
    expect({ byStatus, queuedByPriority }, `${context}: counters disagree with the records`).to.deep.equal(recount(records));

    const maxSeq = Math.max(0, ...records.map((r) => r.seq));
    expect(new Set(records.map((r) => r.seq)).size, `${context}: a seq was used twice`).to.equal(records.length);

    // The ready index must hold exactly the queued records: an agent able to serve all of them gets them all.
    const queuedIds = records.filter((r) => r.status === 'queued').map((r) => r.id).sort();
    const drained: string[] = [];
    for (let claimed = await queue.claimNext('checker', ['git', 'rust'], Date.now()); ;) {
      if (!claimed.ok) throw new Error(claimed.detail);
      if (claimed.value === null) break;
      drained.push(claimed.value.id);
      claimed = await queue.claimNext('checker', ['git', 'rust'], Date.now());
    }
    expect(drained.sort(), `${context}: the ready index disagrees with the records`).to.deep.equal(queuedIds);

    const next = await queue.submit(newTask({ description: 'after the crash' }), Date.now());
    if (!next.ok) throw new Error(next.detail);
    expect(next.value.task.seq, `${context}: seq reused after the crash`).to.be.above(maxSeq);
  } finally {
    await queue.close();
  }
}

describe('task queue crash safety', function () {
  this.timeout(childStartBudgetMs + iterations * 10_000);

  it(`keeps every acknowledged write when the writer is killed at a random moment (${iterations} kills)`, async () => {
    let totalAcks = 0;
    let next = 0;
    // Each run has its own store, so a few run side by side: most of a run is the child starting up.
    const runner = async () => {
      for (let i = next++; i < iterations; i = next++) {
        const dir = makeTempDir('crash');
        try {
          const plan = planFor(i);
          const acks = await runAndKill(dir.path, plan);
          totalAcks += acks.length;
          await checkStoreAfterCrash(dir.path, acks, `kill ${i + 1} (seed ${plan.seed}, ${acks.length} acks)`);
        } finally {
          dir.remove();
        }
      }
    };
    await Promise.all(Array.from({ length: parallelRuns }, runner));
    expect(totalAcks, 'the writer never acknowledged anything').to.be.above(0);
  });

  it('keeps acknowledged writes across several kills of writers on the same store', async () => {
    const dir = makeTempDir('crash-repeat');
    try {
      const acks: WriteAck[] = [];
      for (let i = 0; i < 2; i++) {
        acks.push(...await runAndKill(dir.path, { seed: i + 1, afterAcks: 40 + 60 * i, afterMs: Infinity }));
        await checkStoreAfterCrash(dir.path, acks, `repeat kill ${i + 1}`);
      }
    } finally {
      dir.remove();
    }
  });
});
