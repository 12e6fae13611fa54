// Model test for task dependencies: random graphs (submitted in one bulk), then random
// claims, completions, failures, cancels (with and without cascade), dead-letter retries
// and reopens, in random order. Whatever the order:
//   - no task is assigned before each of its dependencies completed (or, under the `ignore`
//     policy, failed);
//   - no waiting task is left with nothing to wait for, and draining the queue at the end
//     leaves no task waiting (none lost);
//   - no task is released twice in a row without going back to waiting;
//   - the counters agree with the records.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Result } from '../../../storage/domain/errors.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { TaskRecord } from '../../../storage/task-record.ts';
import { taskStatuses, type TaskStatus } from '../../../storage/domain/task-status.ts';
import { mulberry32, randomDag } from '../../support/random-dag.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir } from '../../support/temp-dir.ts';

const pick = fc.nat({ max: 1000 });
const operation = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('claim' as const), agents: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick, cascade: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

const graph = fc.record({
  size: fc.integer({ min: 2, max: 20 }),
  seed: fc.integer(),
  ignoreShare: fc.constantFrom(0, 0.3, 1),
});

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

async function run(spec: { size: number; seed: number; ignoreShare: number }, ops: Operation[]): Promise<void> {
  const dir = makeTempDir('dependency-model');
  let queue = LmdbTaskQueue.open(dir.path);
  const random = mulberry32(spec.seed);
  const everFailed = new Set<string>();
  const now = () => 1_700_000_000_000;
  try {
    const dag = randomDag(spec.size, 2, random);
    const created = value(await queue.submitBulk(dag.map((dependsOnItems, i) => ({
      input: newTask({ description: `node ${i}`, maxRetries: 0, onDependencyFailure: random() < spec.ignoreShare ? 'ignore' : 'fail' }),
      dependsOnItems,
    })), true, now()));
    const ids = created.map((outcome) => value(outcome).task.id);
    const all = () => ids.map((id) => queue.get(id)!);
    const inStatus = (...statuses: string[]) => all().filter((task) => statuses.includes(task.status));
    const choose = (tasks: TaskRecord[], n: number) => (tasks.length ? tasks[n % tasks.length] : undefined);
    const done = (task: TaskRecord, dep: TaskRecord) =>
      dep.status === 'completed' || (task.on_dependency_failure === 'ignore' && everFailed.has(dep.id));
    // A waiting task is judged by its dependencies as they are now: a task retried (or submitted)
    // while an `ignore` dependency is running again after a failure waits for that run, so a
    // failure counts only while the dependency is still dead or cancelled.
    const doneNow = (task: TaskRecord, dep: TaskRecord) =>
      dep.status === 'completed' || (task.on_dependency_failure === 'ignore' && (dep.status === 'dead_letter' || dep.status === 'cancelled'));

    const checkAssigned = (task: TaskRecord) => {
      for (const depId of task.depends_on ?? []) {
        expect(done(task, queue.get(depId)!), `${task.id} assigned while ${depId} is ${queue.get(depId)!.status}`).to.equal(true);
      }
    };
    const claim = async (agents: number) => {
      const claims = await Promise.all(Array.from({ length: agents }, (_, i) => queue.claimNext(`agent-${i}-${random()}`, [], now())));
      const tasks = claims.flatMap((claimed) => (value(claimed) ? [value(claimed)!] : []));
      tasks.forEach(checkAssigned);
      return tasks;
    };
    const checkInvariants = (context: string) => {
      for (const task of inStatus('waiting')) {
        const deps = (task.depends_on ?? []).map((id) => queue.get(id)!);
        expect(deps.every((dep) => doneNow(task, dep)), `${context}: ${task.id} waits on nothing`).to.equal(false);
        if (task.on_dependency_failure !== 'ignore') {
          expect(deps.some((dep) => dep.status === 'dead_letter' || dep.status === 'cancelled'), `${context}: ${task.id} waits on a failed task`).to.equal(false);
        }
        expect(queue.remainingDependencies(task.id), `${context}: ${task.id} count`).to.be.above(0);
      }
      for (const task of all()) {
        const releases = task.history.map((entry) => entry.event).filter((event) => event === 'released' || event === 'waiting');
        for (let i = 1; i < releases.length; i++) expect(releases[i - 1] === 'released' && releases[i] === 'released', `${context}: ${task.id} released twice`).to.equal(false);
      }
      const byStatus = queue.stats().byStatus;
      const counted = Object.fromEntries(taskStatuses.map((status) => [status, 0])) as Record<TaskStatus, number>;
      for (const task of all()) counted[task.status as TaskStatus] += 1;
      expect(byStatus, `${context}: counters`).to.deep.equal(counted);
    };

    for (const op of ops) {
      switch (op.kind) {
        case 'claim':
          await claim(op.agents);
          break;
        case 'complete': {
          const target = choose(inStatus('assigned'), op.pick);
          if (target) value(await queue.complete({ taskId: target.id, agentId: target.assigned_to, generation: target.generation }, { n: 1 }, null, now()));
          break;
        }
        case 'fail': {
          const target = choose(inStatus('assigned'), op.pick);
          if (!target) break;
          const failed = value(await queue.fail({ taskId: target.id, agentId: target.assigned_to, generation: target.generation }, 'boom', now()));
          expect(failed.outcome).to.equal('dead_letter');
          everFailed.add(target.id);
          break;
        }
        case 'cancel': {
          const target = choose(inStatus('queued', 'waiting', 'assigned'), op.pick);
          if (!target) break;
          value(await queue.cancel(target.id, now(), op.cascade));
          everFailed.add(target.id);
          break;
        }
        case 'retry': {
          const target = choose(inStatus('dead_letter'), op.pick);
          if (!target) break;
          const retried = await queue.retryDeadLetter(target.id, now());
          if (!retried.ok) expect(retried.code).to.equal('AC_ERR_DEPENDENCY_FAILED');
          break;
        }
        case 'reopen':
          await queue.close();
          queue = LmdbTaskQueue.open(dir.path);
          break;
      }
      // Cancelled and dead tasks count as failed for `ignore` dependents from the moment they are so.
      for (const task of inStatus('dead_letter', 'cancelled')) everFailed.add(task.id);
      checkInvariants(`after ${op.kind}`);
    }

    // Drain: whatever is left must run to the end or fail by policy; nothing may stay waiting.
    for (const held of inStatus('assigned')) value(await queue.reclaim(held.id, 'agent_disconnect', now()));
    for (let tasks = await claim(3); tasks.length > 0; tasks = await claim(3)) {
      for (const task of tasks) value(await queue.complete({ taskId: task.id, agentId: task.assigned_to, generation: task.generation }, null, null, now()));
      checkInvariants('drain');
    }
    expect(inStatus('waiting', 'queued').map((task) => task.status), 'left after the drain').to.deep.equal([]);
  } finally {
    await queue.close();
    dir.remove();
  }
}

describe('task dependencies against their rules (fast-check)', () => {
  it('never assigns a task before its dependencies completed, and never loses a waiting task', async () => {
    await fc.assert(fc.asyncProperty(graph, fc.array(operation, { minLength: 3, maxLength: 30 }), run), { numRuns: 30 });
  });
});
