// Path leases on the real LMDB queue: the scheduler's gate, a lease ended by each way an
// assignment ends, extra leases, re-prioritising, and leases read back after a reopen.
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

describe('path leases (queue)', () => {
  let dir: TempDir;
  let queue: LmdbTaskQueue;
  let freed: string[];
  let freedWith: Array<readonly string[]>;

  beforeEach(() => {
    dir = makeTempDir('path-leases');
    queue = LmdbTaskQueue.open(dir.path);
    freed = [];
    freedWith = [];
    queue.onLeaseWaitersFreed((waiters) => {
      freed.push(...waiters.map((waiter) => waiter.taskId));
      freedWith.push(...waiters.map((waiter) => waiter.neededCapabilities));
    });
  });

  afterEach(async () => {
    await queue.close();
    dir.remove();
  });

  const submit = async (overrides: Partial<NewTask> = {}) => value(await queue.submit(newTask(overrides), t0)).task;
  const claim = async (agentId: string) => value(await queue.claimNext(agentId, [], t0 + 1));
  // Waiters of ended leases are checked again once a turn, after the writes that ended them.
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  const report = (task: TaskRecord) => ({ taskId: task.id, agentId: task.assigned_to, generation: task.generation });

  it('does not assign a task whose paths overlap an assigned one, and assigns the ones behind it', async () => {
    const first = await submit({ paths: ['src/**'] });
    const blocked = await submit({ paths: ['src/app.ts'] });
    const free = await submit({ paths: ['docs/**'] });
    const plain = await submit();
    expect((await claim('a1'))!.id).to.equal(first.id);
    expect((await claim('a2'))!.id).to.equal(free.id);
    expect((await claim('a3'))!.id).to.equal(plain.id);
    expect(await claim('a4')).to.equal(null);
    const wait = queue.leaseWaitOf(blocked.id);
    expect(wait?.lease).to.include({ task_id: first.id, lease_id: `task:${first.id}`, agent_id: 'a1' });
    expect(queue.get(blocked.id)?.status).to.equal('queued');
    expect(queue.leaseStats()).to.deep.equal({ held: 2, waiting: 1 });
  });

  it('never hands two overlapping tasks to claims of one batch', async () => {
    await submit({ paths: ['lib/a.ts'] });
    await submit({ paths: ['lib/*.ts'] });
    const claims = await Promise.all(['a1', 'a2', 'a3'].map((agent) => queue.claimNext(agent, [], t0 + 1)));
    expect(claims.map(value).filter((task) => task !== null)).to.have.length(1);
  });

  it('names the holder of a lease to a task that began waiting while the holder\'s claim was still committing', async () => {
    const first = await submit({ paths: ['lib/a.ts'] });
    const second = await submit({ paths: ['lib/*.ts'] });
    // One batch: the second claim sees the first's lease pending (no agent yet), then the first commits.
    const claims = (await Promise.all(['a1', 'a2'].map((agent) => queue.claimNext(agent, [], t0 + 1)))).map(value);
    expect(claims.map((task) => task?.id ?? null)).to.deep.equal([first.id, null]);
    expect(queue.leaseWaitOf(second.id)?.lease).to.include({ task_id: first.id, agent_id: 'a1', generation: claims[0]!.generation });
  });

  it('treats different repositories apart', async () => {
    await submit({ paths: ['src/**'], metadata: { repo: 'git@x:one.git' } });
    await submit({ paths: ['src/**'], metadata: { repo: 'git@x:two.git' } });
    expect(await claim('a1')).to.not.equal(null);
    expect(await claim('a2')).to.not.equal(null);
  });

  it('takes one repository written two ways for one, for tasks and for extra leases', async () => {
    await submit({ paths: ['src/**'], metadata: { repo: 'git@x:one.git' } });
    const same = await submit({ paths: ['src/a.ts'], metadata: { repo: 'git@x:one/' } });
    const holder = (await claim('a1'))!;
    expect(await claim('a2'), 'the same repository').to.equal(null);
    expect(queue.leaseWaitOf(same.id)?.lease).to.include({ task_id: holder.id, repo: 'git@x:one' });
    const other = await submit({ paths: ['docs/**'] });
    const running = (await claim('a3'))!;
    expect(running.id).to.equal(other.id);
    const denied = value(await queue.leaseAcquire(report(running) as never, ['src/b.ts'], ' git@x:one.git/ ', t0 + 1));
    expect(denied).to.have.nested.property('denied.task_id', holder.id);
  });

  const endings: Array<[string, (task: TaskRecord) => Promise<unknown>]> = [
    ['complete', (task) => queue.complete(report(task), null, null, t0 + 2)],
    ['fail (retried)', (task) => queue.fail(report(task), 'boom', t0 + 2)],
    ['fail (dead letter)', async (task) => {
      // max_retries 0: the first failure dead-letters it.
      return queue.fail(report(task), 'boom', t0 + 2);
    }],
    ['reclaim', (task) => queue.reclaim(task.id, 'stuck', t0 + 2, task.generation)],
    ['cancel', (task) => queue.cancel(task.id, t0 + 2)],
  ];
  for (const [ending, end] of endings) {
    it(`releases the lease and its extra leases on ${ending}, and frees the tasks waiting for it`, async () => {
      const holder = await submit({ paths: ['src/**'], maxRetries: ending === 'fail (dead letter)' ? 0 : 3 });
      const waiter = await submit({ paths: ['src/x.ts'] });
      const assigned = (await claim('a1'))!;
      const extra = value(await queue.leaseAcquire({ taskId: holder.id, agentId: 'a1', generation: assigned.generation }, ['docs/**'], undefined, t0 + 1));
      expect(extra).to.have.property('granted');
      expect(await claim('a2')).to.equal(null);
      expect(queue.leasesOf(holder.id)).to.have.length(2);
      await end(assigned);
      expect(queue.leasesOf(holder.id)).to.deep.equal([]);
      expect(queue.leaseStats().held).to.equal(0);
      await nextTurn();
      expect(freed).to.deep.equal([waiter.id]);
      await queue.close();
      queue = LmdbTaskQueue.open(dir.path);
      expect(queue.leasesOf(holder.id), 'after a reopen').to.deep.equal([]);
    });
  }

  it('keeps a lease through progress, and holds it again after a reopen (the assignment is durable)', async () => {
    await submit({ paths: ['src/**'] });
    const waiter = await submit({ paths: ['src/y.ts'] });
    const assigned = (await claim('a1'))!;
    const extra = value(await queue.leaseAcquire(report(assigned) as never, ['assets/**'], 'other-repo', t0 + 1));
    value(await queue.progress(report(assigned), t0 + 5));
    expect(queue.leasesOf(assigned.id)).to.have.length(2);
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    const held = queue.leasesOf(assigned.id).map((lease) => lease.lease_id).sort();
    expect(held).to.deep.equal([`task:${assigned.id}`, (extra as { granted: { lease_id: string } }).granted.lease_id].sort());
    expect(await queue.claimNext('a2', [], t0 + 6).then(value)).to.equal(null);
    expect(queue.get(waiter.id)?.status).to.equal('queued');
  });

  it('checks the queued tasks with paths found at a reopen, and those queued after the queue once had none', async () => {
    const holder = await submit({ paths: ['src/**'] });
    expect((await claim('a1'))!.id).to.equal(holder.id);
    const waiter = await submit({ paths: ['src/a.ts'] });
    await submit();
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    const plain = (await claim('a2'))!;
    expect(plain.paths, 'the task without paths, passing the one held back').to.equal(undefined);
    expect(await claim('a3')).to.equal(null);
    expect(queue.leaseWaitOf(waiter.id)?.lease.task_id).to.equal(holder.id);
    value(await queue.complete(report((queue.get(holder.id))!), null, null, t0 + 2));
    expect((await claim('a4'))!.id).to.equal(waiter.id);
    // No queued task declares paths now; the next one does again, and is checked after another reopen.
    const second = await submit({ paths: ['src/**'] });
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(await claim('a5')).to.equal(null);
    expect(queue.leaseWaitOf(second.id)?.lease.task_id).to.equal(waiter.id);
  });

  it('denies an extra lease that overlaps another task, naming the holder, and releases one on request', async () => {
    await submit({ paths: ['src/**'] });
    await submit({ paths: ['docs/**'] });
    const one = (await claim('a1'))!;
    const two = (await claim('a2'))!;
    const denied = value(await queue.leaseAcquire(report(two) as never, ['src/main.ts'], undefined, t0 + 1));
    expect(denied).to.have.nested.property('denied.task_id', one.id);
    const granted = value(await queue.leaseAcquire(report(two) as never, ['tools/**'], undefined, t0 + 1)) as { granted: { lease_id: string } };
    expect((await queue.leaseRelease(granted.granted.lease_id, 'a1')).ok, 'not the holder').to.equal(false);
    const ownRelease = await queue.leaseRelease(`task:${two.id}`, 'a2');
    expect(ownRelease.ok ? 'ok' : ownRelease.code).to.equal('AC_ERR_LEASE_OF_TASK');
    expect(value(await queue.leaseRelease(granted.granted.lease_id, 'a2')).lease_id).to.equal(granted.granted.lease_id);
    expect(queue.leasesOf(two.id)).to.have.length(1);
  });

  it('refuses a lease request for an assignment the agent does not hold', async () => {
    const task = await submit({ paths: ['src/**'] });
    const refused = await queue.leaseAcquire({ taskId: task.id, agentId: 'a1', generation: 1 }, ['x/**'], undefined, t0);
    expect(refused.ok ? 'ok' : refused.code).to.equal('AC_ERR_INVALID_STATE');
    const assigned = (await claim('a1'))!;
    const stale = await queue.leaseAcquire({ taskId: task.id, agentId: 'a1', generation: assigned.generation + 1 }, ['x/**'], undefined, t0);
    expect(stale.ok ? 'ok' : stale.code).to.equal('AC_ERR_STALE_GENERATION');
  });

  it('keeps a freed waiter waiting, for the next lease it overlaps, without telling the hub, until nothing holds it back', async () => {
    const one = await submit({ paths: ['src/a.ts'] });
    const two = await submit({ paths: ['src/b.ts'] });
    const heldOne = (await claim('a1'))!;
    const heldTwo = (await claim('a2'))!;
    expect([heldOne.id, heldTwo.id]).to.deep.equal([one.id, two.id]);
    const waiter = await submit({ paths: ['src/a.ts', 'src/b.ts'], neededCapabilities: ['python'] });
    expect(await queue.claimNext('a3', ['python'], t0 + 1).then(value)).to.equal(null);
    const firstWait = queue.leaseWaitOf(waiter.id)!;
    expect(firstWait.lease.task_id).to.equal(one.id);
    value(await queue.complete(report(heldOne), null, null, t0 + 2));
    await nextTurn();
    expect(freed, 'still held back by the other lease').to.deep.equal([]);
    const secondWait = queue.leaseWaitOf(waiter.id)!;
    expect(secondWait.lease.task_id).to.equal(two.id);
    expect(secondWait.since, 'waiting since it was first refused').to.equal(firstWait.since);
    expect(await queue.claimNext('a3', ['python'], t0 + 3).then(value)).to.equal(null);
    value(await queue.complete(report(heldTwo), null, null, t0 + 4));
    await nextTurn();
    expect(freed).to.deep.equal([waiter.id]);
    expect(freedWith, 'the capabilities of its lane, for the offer').to.deep.equal([['python']]);
    expect((await queue.claimNext('a3', ['python'], t0 + 5).then(value))?.id).to.equal(waiter.id);
  });

  it('re-prioritising moves a queued task to another lane at once, with a history entry', async () => {
    const early = await submit({ priority: 2 });
    const late = await submit({ priority: 2 });
    const moved = value(await queue.reprioritise(late.id, 0, t0 + 1));
    expect(moved.from).to.equal(2);
    expect(moved.task.history[0]).to.deep.include({ event: 'reprioritised', details: { from: 2, to: 0 } });
    expect(queue.stats().queuedByPriority).to.include({ '0': 1, '2': 1 });
    expect((await claim('a1'))!.id).to.equal(late.id);
    expect((await claim('a2'))!.id).to.equal(early.id);
  });

  it('re-prioritising refuses assigned and finished tasks without changing them', async () => {
    await submit();
    const assigned = (await claim('a1'))!;
    const refused = await queue.reprioritise(assigned.id, 0, t0 + 1);
    expect(refused.ok ? 'ok' : refused.code).to.equal('AC_ERR_INVALID_STATE');
    expect(queue.get(assigned.id)?.priority).to.equal(2);
    const missing = await queue.reprioritise('task-nope', 0, t0 + 1);
    expect(missing.ok ? 'ok' : missing.code).to.equal('AC_ERR_TASK_NOT_FOUND');
  });

  it('hands out a waiting task moved to a more urgent lane as soon as the lease it waits for ends', async () => {
    const holder = await submit({ paths: ['src/a.ts'] });
    const assigned = (await claim('a1'))!;
    expect(assigned.id).to.equal(holder.id);
    const waiter = await submit({ paths: ['src/a.ts'] });
    // The claims walk past the waiter twice, once in each lane, so the blocked front covers it there.
    expect(await claim('a2')).to.equal(null);
    value(await queue.reprioritise(waiter.id, 0, t0 + 1));
    expect(await claim('a2')).to.equal(null);
    value(await queue.complete(report(assigned), null, null, t0 + 2));
    expect((await claim('a2'))?.id).to.equal(waiter.id);
  });

  it('re-prioritises delayed and waiting tasks too, and the change survives a reopen', async () => {
    const delayed = await submit({ notBefore: t0 + 60_000 });
    const parent = await submit();
    const waiting = await submit({ dependsOn: [parent.id] });
    value(await queue.reprioritise(delayed.id, 1, t0 + 1));
    value(await queue.reprioritise(waiting.id, 3, t0 + 1));
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    expect(queue.get(delayed.id)).to.include({ priority: 1, status: 'delayed' });
    expect(queue.get(waiting.id)).to.include({ priority: 3, status: 'waiting' });
  });

  // The gate keeps each queued task's paths in memory from the write that queued it (paths never
  // change), or reads them once after a reopen: every way into the queue must keep them gated.
  const entries: Record<string, (paths: string[]) => Promise<TaskRecord>> = {
    'submitted': (paths) => submit({ paths }),
    'released by its dependency': async (paths) => {
      const parent = await submit({ neededCapabilities: ['python'] });
      const child = await submit({ paths, dependsOn: [parent.id] });
      const assigned = value(await queue.claimNext('p1', ['python'], t0 + 1))!;
      value(await queue.complete(report(assigned), null, null, t0 + 1));
      return child;
    },
    'approved': async (paths) => {
      const gated = await submit({ paths, requiresApproval: true });
      value(await queue.decideApproval(gated.id, { decision: 'approved', by: 'op', note: null }, t0 + 1));
      return gated;
    },
    're-prioritised before any claim saw it': async (paths) => {
      const task = await submit({ paths, priority: 3 });
      value(await queue.reprioritise(task.id, 2, t0 + 1));
      return task;
    },
    'reclaimed from an agent': async (paths) => {
      const task = await submit({ paths });
      const assigned = (await claim('r1'))!;
      value(await queue.reclaim(assigned.id, 'agent_disconnect', t0 + 1));
      return task;
    },
    'retried from the dead letters': async (paths) => {
      const task = await submit({ paths, maxRetries: 0 });
      const assigned = (await claim('r1'))!;
      value(await queue.fail(report(assigned), 'boom', t0 + 1));
      value(await queue.retryDeadLetter(task.id, t0 + 1));
      return task;
    },
  };
  for (const [entry, enter] of Object.entries(entries)) {
    for (const reopen of [false, true]) {
      it(`holds back a task ${entry} while an overlapping lease is held${reopen ? ', after a reopen' : ''}`, async () => {
        const task = await enter(['src/x.ts']);
        expect(queue.get(task.id)?.status).to.equal('queued');
        // Taken first from the most urgent lane; the task waits for it.
        const holder = await submit({ paths: ['src/**'], priority: 0 });
        const held = (await claim('h1'))!;
        expect(held.id).to.equal(holder.id);
        if (reopen) {
          await queue.close();
          queue = LmdbTaskQueue.open(dir.path);
        }
        expect(await claim('a1')).to.equal(null);
        expect(queue.leaseWaitOf(task.id)?.lease.task_id).to.equal(holder.id);
        value(await queue.complete(report(queue.get(holder.id)!), null, null, t0 + 2));
        expect((await claim('a2'))?.id).to.equal(task.id);
        expect(queue.leasesOf(task.id).map((lease) => lease.paths)).to.deep.equal([['src/x.ts']]);
      });
    }
  }

  it('holds back a task that waited on its dependency across a reopen, once released', async () => {
    const parent = await submit({ neededCapabilities: ['python'] });
    const child = await submit({ paths: ['src/x.ts'], dependsOn: [parent.id] });
    const holder = await submit({ paths: ['src/**'], priority: 0 });
    expect((await claim('h1'))!.id).to.equal(holder.id);
    await queue.close();
    queue = LmdbTaskQueue.open(dir.path);
    const assigned = value(await queue.claimNext('p1', ['python'], t0 + 1))!;
    value(await queue.complete(report(assigned), null, null, t0 + 1));
    expect(queue.get(child.id)?.status).to.equal('queued');
    expect(await claim('a1')).to.equal(null);
    expect(queue.leaseWaitOf(child.id)?.lease.task_id).to.equal(holder.id);
    value(await queue.complete(report(queue.get(holder.id)!), null, null, t0 + 2));
    expect((await claim('a2'))?.id).to.equal(child.id);
  });
});
