// Kills a process in the middle of writing and draining a 1,000-task graph (SIGKILL), then
// checks what it left: the graph is all there or not at all, every acknowledged write holds,
// the waiting counts agree with the records, and draining the rest after the restart honours
// every edge (no task assigned before all its dependencies completed, none released twice).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import type { TaskRecord } from '../../storage/task-record.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import type { WorkflowAck } from '../support/workflow-writer-child.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childPath = fileURLToPath(new URL('../support/workflow-writer-child.ts', import.meta.url));
const graphSize = 1_000;

/** `early`: kill while the bulk submit is being written; `drain`: kill while the graph is being worked. */
type KillPlan = { seed: number; when: 'early' | 'drain'; delayMs: number };

function runAndKill(dir: string, plan: KillPlan): Promise<WorkflowAck[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childPath, dir, String(plan.seed), String(graphSize)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let armed = false;
    const kill = () => child.kill('SIGKILL');
    const arm = () => {
      if (armed) return;
      armed = true;
      setTimeout(kill, plan.delayMs);
    };
    const budget = setTimeout(kill, 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (plan.when === 'drain' && stdout.includes('"op":"graph"')) arm();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (plan.when === 'early' && stderr.includes('ready')) arm();
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(budget);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own: ${stderr}`));
      resolve(stdout.split('\n').slice(0, -1).map((line) => JSON.parse(line) as WorkflowAck));
    });
  });
}

function checkEdges(queue: LmdbTaskQueue, tasks: readonly TaskRecord[], context: string): void {
  for (const task of tasks) {
    const deps = (task.depends_on ?? []).map((id) => queue.get(id)!);
    const where = `${context}: ${task.id} (${task.status})`;
    expect(task.history.filter((entry) => entry.event === 'released').length, `${where} released twice`).to.be.at.most(1);
    const everAssigned = task.history.some((entry) => entry.event === 'assigned');
    if (everAssigned || ['queued', 'assigned', 'completed'].includes(task.status)) {
      expect(deps.every((dep) => dep.status === 'completed'), `${where} ran before its dependencies completed`).to.equal(true);
    }
    if (task.status === 'waiting') {
      const unfinished = deps.filter((dep) => dep.status !== 'completed');
      expect(queue.remainingDependencies(task.id), `${where} waiting count`).to.equal(unfinished.length);
      expect(unfinished.length, `${where} waits on nothing`).to.be.above(0);
      expect(deps.some((dep) => dep.status === 'dead_letter'), `${where} waits on a dead dependency`).to.equal(false);
    }
    if (task.failed_dependency) expect(queue.get(task.failed_dependency)!.status, `${where} failed on a live task`).to.equal('dead_letter');
  }
}

async function checkAfterCrash(dir: string, acks: readonly WorkflowAck[], context: string): Promise<void> {
  const queue = LmdbTaskQueue.open(dir);
  try {
    const graphAck = acks.find((ack): ack is Extract<WorkflowAck, { op: 'graph' }> => ack.op === 'graph');
    const stats = queue.stats().byStatus;
    const stored = Object.values(stats).reduce((sum, n) => sum + n, 0);
    expect([0, graphSize], `${context}: a graph half written (${stored} tasks)`).to.include(stored);
    if (graphAck) expect(stored, `${context}: the acknowledged graph was lost`).to.equal(graphSize);
    if (stored === 0) return;
    const ids = graphAck?.ids ?? queue.list({ limit: graphSize }).tasks.map((task) => task.id);
    for (const ack of acks) {
      if (ack.op === 'complete') expect(queue.get(ack.task_id)!.status, `${context}: completion lost`).to.equal('completed');
      if (ack.op === 'dead') expect(queue.get(ack.task_id)!.status, `${context}: dead letter lost`).to.equal('dead_letter');
    }
    checkEdges(queue, ids.map((id) => queue.get(id)!), context);

    // Work off the rest as a restarted hub would: take back what the dead workers held, then
    // every claim must find all its dependencies completed.
    for (const held of queue.assigned()) {
      const reclaimed = await queue.reclaim(held.id, 'agent_disconnect', Date.now());
      if (!reclaimed.ok) throw new Error(reclaimed.detail);
    }
    // 32 checkers at a time, so claims and completions share transactions.
    for (;;) {
      const claims = await Promise.all(Array.from({ length: 32 }, (_, i) => queue.claimNext(`checker-${i}`, [], Date.now())));
      const tasks = claims.flatMap((claimed) => {
        if (!claimed.ok) throw new Error(claimed.detail);
        return claimed.value ? [claimed.value] : [];
      });
      if (tasks.length === 0) break;
      for (const task of tasks) {
        for (const dep of task.depends_on ?? []) expect(queue.get(dep)!.status, `${context}: ${task.id} assigned early`).to.equal('completed');
      }
      const done = await Promise.all(tasks.map((task) =>
        queue.complete({ taskId: task.id, agentId: task.assigned_to, generation: task.generation }, null, null, Date.now())));
      for (const result of done) if (!result.ok) throw new Error(result.detail);
    }
    const after = ids.map((id) => queue.get(id)!);
    expect(after.filter((task) => !['completed', 'dead_letter'].includes(task.status)).map((task) => task.status), `${context}: left unfinished`).to.deep.equal([]);
    checkEdges(queue, after, `${context}, drained`);
  } finally {
    await queue.close();
  }
}

describe('workflow crash safety', function () {
  this.timeout(120_000);

  it('keeps a 1,000-task graph whole and honours every edge after kill -9, during the bulk write and during the drain', async () => {
    const plans: KillPlan[] = [
      { seed: 11, when: 'early', delayMs: 5 },
      { seed: 12, when: 'early', delayMs: 40 },
      { seed: 13, when: 'drain', delayMs: 30 + Math.floor(Math.random() * 100) },
      { seed: 14, when: 'drain', delayMs: 150 + Math.floor(Math.random() * 300) },
    ];
    let acknowledged = 0;
    await Promise.all([plans.slice(0, 2), plans.slice(2)].map(async (share) => {
      for (const plan of share) {
        const dir = makeTempDir('workflow-crash');
        try {
          const acks = await runAndKill(dir.path, plan);
          acknowledged += acks.length;
          await checkAfterCrash(dir.path, acks, `${plan.when} kill after ${plan.delayMs} ms (seed ${plan.seed}, ${acks.length} acks)`);
        } finally {
          dir.remove();
        }
      }
    }));
    expect(acknowledged, 'the writer never acknowledged anything').to.be.above(0);
  });
});
