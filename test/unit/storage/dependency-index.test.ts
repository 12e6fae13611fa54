import { expect } from 'chai';
import type { Result } from '../../../storage/domain/errors.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { NewTask, TaskRecord } from '../../../storage/task-record.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const t0 = 1_700_000_000_000;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

describe('task dependencies (DependencyIndex in LmdbTaskQueue)', () => {
  let dir: TempDir;
  let queue: LmdbTaskQueue;
  let settled: TaskRecord[][];

  beforeEach(() => {
    dir = makeTempDir('dependencies');
    queue = LmdbTaskQueue.open(dir.path);
    settled = [];
    queue.onDependentsSettled((tasks) => settled.push(tasks));
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  async function submit(description: string, overrides: Partial<NewTask> = {}): Promise<TaskRecord> {
    return value(await queue.submit(newTask({ description, ...overrides }), t0)).task;
  }

  /** Claims the next task for a fresh agent and completes it; returns its id. */
  async function runNext(agentId = 'agent-1'): Promise<string | null> {
    const task = value(await queue.claimNext(agentId, [], t0 + 1));
    if (!task) return null;
    value(await queue.complete({ taskId: task.id, agentId, generation: task.generation }, { summary: task.description }, null, t0 + 2));
    return task.id;
  }

  async function deadLetter(taskId: string): Promise<void> {
    for (;;) {
      const task = value(await queue.claimNext('agent-f', [], t0 + 1));
      if (!task) throw new Error('nothing to claim');
      expect(task.id).to.equal(taskId);
      const failed = value(await queue.fail({ taskId, agentId: 'agent-f', generation: task.generation }, 'boom', t0 + 2));
      if (failed.outcome === 'dead_letter') return;
    }
  }

  const statusOf = (id: string) => queue.get(id)?.status;

  it('keeps a task waiting, outside every lane, until its dependency completes', async () => {
    const plan = await submit('plan');
    const implement = await submit('implement', { dependsOn: [plan.id] });
    expect(implement.status).to.equal('waiting');
    expect(queue.stats().byStatus.waiting).to.equal(1);
    expect(queue.stats().queuedByPriority['2']).to.equal(1);
    expect(await runNext()).to.equal(plan.id);
    expect(statusOf(implement.id)).to.equal('queued');
    expect(settled.flat().map((task) => task.id)).to.deep.equal([implement.id]);
    expect(await runNext()).to.equal(implement.id);
  });

  it('runs a chain in order', async () => {
    const a = await submit('a');
    const b = await submit('b', { dependsOn: [a.id] });
    const c = await submit('c', { dependsOn: [b.id] });
    const order = [await runNext(), await runNext(), await runNext(), await runNext()];
    expect(order).to.deep.equal([a.id, b.id, c.id, null]);
  });

  it('releases the fan-in of a diamond only after both branches', async () => {
    const top = await submit('top');
    const left = await submit('left', { dependsOn: [top.id] });
    const right = await submit('right', { dependsOn: [top.id] });
    const bottom = await submit('bottom', { dependsOn: [left.id, right.id] });
    expect(await runNext()).to.equal(top.id);
    expect(await runNext()).to.equal(left.id);
    expect(statusOf(bottom.id)).to.equal('waiting');
    expect(queue.remainingDependencies(bottom.id)).to.equal(1);
    expect(await runNext()).to.equal(right.id);
    expect(await runNext()).to.equal(bottom.id);
  });

  it('keeps a released task at its submit-order place in the lane', async () => {
    const first = await submit('first');
    const dependent = await submit('dependent', { dependsOn: [first.id] });
    const later = await submit('later');
    expect(await runNext()).to.equal(first.id);
    // `dependent` was submitted before `later`, so it goes first though it was released after.
    expect(await runNext()).to.equal(dependent.id);
    expect(await runNext()).to.equal(later.id);
  });

  it('refuses unknown dependencies and changes nothing', async () => {
    const before = queue.stats();
    const refused = await queue.submit(newTask({ dependsOn: ['task-nope'] }), t0);
    expect(refused.ok ? 'ok' : refused.code).to.equal('AC_ERR_DEPENDENCY_NOT_FOUND');
    expect(queue.stats()).to.deep.equal(before);
  });

  it('cascades a failure down the graph as dependency_failed dead letters under the fail policy', async () => {
    const a = await submit('a', { maxRetries: 1 });
    const b = await submit('b', { dependsOn: [a.id] });
    const c = await submit('c', { dependsOn: [b.id] });
    await deadLetter(a.id);
    expect([statusOf(b.id), statusOf(c.id)]).to.deep.equal(['dead_letter', 'dead_letter']);
    expect(queue.get(b.id)!.failed_dependency).to.equal(a.id);
    expect(queue.get(c.id)!.failed_dependency).to.equal(b.id);
    expect(queue.get(b.id)!.history[0].details).to.deep.equal({ reason: 'dependency_failed', dependency: a.id });
    expect(queue.stats().byStatus.waiting).to.equal(0);
  });

  it('treats a failed dependency as done under the ignore policy', async () => {
    const a = await submit('a', { maxRetries: 1 });
    const b = await submit('b', { dependsOn: [a.id], onDependencyFailure: 'ignore' });
    await deadLetter(a.id);
    expect(statusOf(b.id)).to.equal('queued');
    expect(await runNext()).to.equal(b.id);
  });

  it('brings dependents that failed on its account back to waiting when a dead letter is retried', async () => {
    const a = await submit('a', { maxRetries: 1 });
    const b = await submit('b', { dependsOn: [a.id] });
    const c = await submit('c', { dependsOn: [b.id] });
    await deadLetter(a.id);
    value(await queue.retryDeadLetter(a.id, t0 + 3));
    expect([statusOf(a.id), statusOf(b.id), statusOf(c.id)]).to.deep.equal(['queued', 'waiting', 'waiting']);
    expect(queue.stats().byStatus.dead_letter).to.equal(0);
    expect([await runNext(), await runNext(), await runNext()]).to.deep.equal([a.id, b.id, c.id]);
  });

  it('refuses to retry a dependent whose dependency is still dead', async () => {
    const a = await submit('a', { maxRetries: 1 });
    const b = await submit('b', { dependsOn: [a.id] });
    await deadLetter(a.id);
    const refused = await queue.retryDeadLetter(b.id, t0 + 3);
    expect(refused.ok ? 'ok' : refused.code).to.equal('AC_ERR_DEPENDENCY_FAILED');
    expect(statusOf(b.id)).to.equal('dead_letter');
  });

  it('cancels waiting dependents with cascade, and settles them by policy without', async () => {
    const a = await submit('a');
    const b = await submit('b', { dependsOn: [a.id] });
    const c = await submit('c', { dependsOn: [b.id] });
    value(await queue.cancel(a.id, t0 + 1, true));
    expect([statusOf(b.id), statusOf(c.id)]).to.deep.equal(['cancelled', 'cancelled']);

    const x = await submit('x');
    const y = await submit('y', { dependsOn: [x.id] });
    const z = await submit('z', { dependsOn: [x.id], onDependencyFailure: 'ignore' });
    value(await queue.cancel(x.id, t0 + 1));
    expect([statusOf(y.id), statusOf(z.id)]).to.deep.equal(['dead_letter', 'queued']);
  });

  it('settles a new task at once when a dependency already failed', async () => {
    const a = await submit('a', { maxRetries: 1 });
    await deadLetter(a.id);
    const b = await submit('b', { dependsOn: [a.id] });
    expect(b.status).to.equal('dead_letter');
    const done = await submit('done-dep');
    expect(await runNext()).to.equal(done.id);
    const c = await submit('c', { dependsOn: [done.id] });
    expect(c.status).to.equal('queued');
  });

  it('lists dependents and the tasks waiting on a task', async () => {
    const a = await submit('a');
    const b = await submit('b', { dependsOn: [a.id] });
    const c = await submit('c', { dependsOn: [a.id], onDependencyFailure: 'ignore' });
    expect(queue.dependentsOf(a.id).map((t) => t.id).sort()).to.deep.equal([b.id, c.id].sort());
    expect(queue.waitingOn(a.id).map((t) => t.id).sort()).to.deep.equal([b.id, c.id].sort());
    await runNext();
    expect(queue.waitingOn(a.id)).to.deep.equal([]);
  });

  it('keeps waiting tasks and their counts across a reopen', async () => {
    const a = await submit('a');
    const b = await submit('b');
    const c = await submit('c', { dependsOn: [a.id, b.id] });
    await runNext();
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.stats().byStatus.waiting).to.equal(1);
    expect(queue.remainingDependencies(c.id)).to.equal(1);
    expect(await runNext()).to.equal(b.id);
    expect(await runNext()).to.equal(c.id);
  });

  describe('submitBulk', () => {
    it('creates every valid item in one call, with an error per refused item', async () => {
      const outcomes = value(await queue.submitBulk([
        { input: newTask({ description: 'one' }), dependsOnItems: [] },
        { input: newTask({ description: 'two', dependsOn: ['task-missing'] }), dependsOnItems: [] },
        { input: newTask({ description: 'three', idempotencyKey: 'k' }), dependsOnItems: [] },
        { input: newTask({ description: 'three', idempotencyKey: 'k' }), dependsOnItems: [] },
      ], false, t0));
      expect(outcomes.map((o) => (o.ok ? o.value.created : o.code))).to.deep.equal([true, 'AC_ERR_DEPENDENCY_NOT_FOUND', true, false]);
      expect(outcomes[3]!.ok && outcomes[2]!.ok && outcomes[3].value.task.id === outcomes[2].value.task.id).to.equal(true);
    });

    it('links items to earlier items, and writes nothing of a graph when one item fails', async () => {
      const graph = value(await queue.submitBulk([
        { input: newTask({ description: 'plan' }), dependsOnItems: [] },
        { input: newTask({ description: 'build' }), dependsOnItems: [0] },
      ], true, t0));
      const [plan, build] = graph.map((o) => value(o).task);
      expect(build!.status).to.equal('waiting');
      expect(build!.depends_on).to.deep.equal([plan!.id]);

      const before = queue.stats();
      const refused = value(await queue.submitBulk([
        { input: newTask({ description: 'ok' }), dependsOnItems: [] },
        { input: newTask({ description: 'bad', dependsOn: ['task-missing'] }), dependsOnItems: [0] },
      ], true, t0));
      expect(refused.map((o) => (o.ok ? 'ok' : o.code))).to.deep.equal(['AC_ERR_BULK_ABORTED', 'AC_ERR_DEPENDENCY_NOT_FOUND']);
      expect(queue.stats()).to.deep.equal(before);
    });
  });
});
