// The queue engine's behaviour, one suite for every engine (QueueEngine): each engine's
// conformance file runs it against the real thing (LMDB in a temp dir, JetStream on a real
// nats-server). Reads are checked right after this engine's own writes, which every engine
// must show at once; `reopen` closes the engine and opens it again on the same storage.
import { expect } from 'chai';
import type { Result } from '../../storage/domain/errors.ts';
import type { QueueEngine, Report } from '../../storage/queue-engine.ts';
import type { NewTask, TaskRecord } from '../../storage/task-record.ts';
import { newTask } from '../support/task-factory.ts';

const t0 = 1_700_000_000_000;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

function codeOf(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.code;
}

function reportFor(task: TaskRecord, overrides: Partial<Report> = {}): Report {
  return { taskId: task.id, agentId: task.assigned_to, generation: task.generation, ...overrides };
}

/** One engine under test: fresh, empty storage per test, and the same storage again on reopen. */
export interface EngineUnderTest {
  /** Opens the engine on fresh storage (called before each test). */
  openFresh(): Promise<QueueEngine>;
  /** Opens the engine again on the storage of the last openFresh. */
  openAgain(): Promise<QueueEngine>;
  /** Removes the storage of the last openFresh (after each test, the engine closed). */
  discard(): Promise<void>;
}

export function queueEngineBehaviour(engine: EngineUnderTest): void {
  let queue: QueueEngine;

  beforeEach(async () => {
    queue = await engine.openFresh();
  });

  afterEach(async () => {
    await queue.close();
    await engine.discard();
  });

  async function submit(overrides: Partial<NewTask> = {}, now = t0): Promise<TaskRecord> {
    return value(await queue.submit(newTask(overrides), now)).task;
  }

  async function claim(agentId: string, capabilities: readonly string[] = [], now = t0 + 1): Promise<TaskRecord | null> {
    return value(await queue.claimNext(agentId, capabilities, now));
  }

  async function claimOrThrow(agentId: string, capabilities: readonly string[] = [], now = t0 + 1): Promise<TaskRecord> {
    const task = await claim(agentId, capabilities, now);
    if (task === null) throw new Error(`expected ${agentId} to get a task`);
    return task;
  }

  async function reopen(): Promise<void> {
    await queue.close();
    queue = await engine.openAgain();
  }

  /** Asserts that `action` fails with `code` and leaves the task and the counters exactly as they were. */
  async function expectRefusedWithoutChange(taskId: string, code: string, action: () => Promise<Result<unknown>>) {
    const before = queue.get(taskId);
    const statsBefore = queue.stats();
    expect(codeOf(await action())).to.equal(code);
    expect(queue.get(taskId)).to.deep.equal(before);
    expect(queue.stats()).to.deep.equal(statsBefore);
    await reopen();
    expect(queue.get(taskId)).to.deep.equal(before);
  }

  describe('submit', () => {
    it('stores a queued task with a task id, a seq and a queued history entry', async () => {
      const task = await submit({ description: 'fix the login bug', priority: 1, metadata: { repo: 'x' } });
      expect(task.id).to.match(/^task-[0-9a-f]{16}$/);
      expect(task).to.include({ status: 'queued', priority: 1, generation: 0, retry_count: 0, assigned_to: null, seq: 1 });
      expect(task.metadata).to.deep.equal({ repo: 'x' });
      expect(task.history.map((h) => h.event)).to.deep.equal(['queued']);
      expect(queue.get(task.id)).to.deep.equal(task);
    });

    it('gives each task a larger seq than the one before', async () => {
      const a = await submit();
      const b = await submit();
      const c = await submit({ priority: 0 });
      expect([a.seq, b.seq, c.seq]).to.deep.equal([1, 2, 3]);
    });

    it('returns undefined from get for an unknown id', () => {
      expect(queue.get('task-0000000000000000')).to.equal(undefined);
    });

    it('sorts and de-duplicates the needed capabilities', async () => {
      const task = await submit({ neededCapabilities: ['rust', 'git', 'rust'] });
      expect(task.needed_capabilities).to.deep.equal(['git', 'rust']);
    });

    it('counts tasks by status and queued tasks by lane', async () => {
      await submit({ priority: 0 });
      await submit({ priority: 2 });
      await submit({ priority: 2 });
      await submit({ priority: 3, notBefore: t0 + 60_000 });
      await claimOrThrow('agent-1');
      const stats = queue.stats();
      expect(stats.byStatus).to.deep.equal({ queued: 2, delayed: 1, assigned: 1, completed: 0, dead_letter: 0, cancelled: 0, waiting: 0, awaiting_approval: 0 });
      expect(stats.queuedByPriority).to.deep.equal({ 0: 0, 1: 0, 2: 2, 3: 0 });
    });
  });

  describe('claimNext', () => {
    it('hands out the most urgent lane first', async () => {
      const low = await submit({ priority: 3 });
      const normal = await submit({ priority: 2 });
      const urgent = await submit({ priority: 0 });
      const high = await submit({ priority: 1 });
      const order = [];
      for (let i = 0; i < 4; i++) order.push((await claimOrThrow(`agent-${i}`)).id);
      expect(order).to.deep.equal([urgent.id, high.id, normal.id, low.id]);
    });

    it('hands out tasks of one lane oldest first', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await submit({ description: `task ${i}` })).id);
      const order = [];
      for (let i = 0; i < 5; i++) order.push((await claimOrThrow(`agent-${i}`)).id);
      expect(order).to.deep.equal(ids);
    });

    it('assigns the task to the agent at generation 1', async () => {
      const submitted = await submit();
      const claimed = await claimOrThrow('agent-1', [], t0 + 5);
      expect(claimed).to.include({ id: submitted.id, status: 'assigned', assigned_to: 'agent-1', assigned_at: t0 + 5, generation: 1 });
      expect(claimed.history[0]).to.deep.include({ event: 'assigned', details: { agent_id: 'agent-1', generation: 1 } });
      expect(queue.get(submitted.id)).to.deep.equal(claimed);
    });

    it('returns null when nothing is queued', async () => {
      expect(await claim('agent-1')).to.equal(null);
    });

    it('never hands out a task that is already assigned', async () => {
      await submit();
      await claimOrThrow('agent-1');
      expect(await claim('agent-2')).to.equal(null);
    });

    it('gives concurrent claims different tasks, in queue order', async () => {
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await submit({ priority: i % 2 })).id);
      const claims = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => queue.claimNext(`agent-${i}`, [], t0 + 1)));
      const claimed = claims.map((r) => value(r)?.id ?? null);
      expect(claimed).to.deep.equal([ids[0], ids[2], ids[4], ids[1], ids[3], ids[5], null]);
    });
  });

  describe('capability matching', () => {
    it('gives a task only to an agent that has every needed capability', async () => {
      const task = await submit({ neededCapabilities: ['git', 'rust'] });
      expect(await claim('agent-git', ['git'])).to.equal(null);
      expect(await claim('agent-rust', ['rust', 'python'])).to.equal(null);
      expect((await claimOrThrow('agent-both', ['python', 'rust', 'git'])).id).to.equal(task.id);
    });

    it('matches capability names exactly', async () => {
      await submit({ neededCapabilities: ['rust'] });
      expect(await claim('agent-1', ['Rust'])).to.equal(null);
      expect(await claim('agent-2', ['rus'])).to.equal(null);
      expect(await claim('agent-3', ['rust-nightly', ' rust'])).to.equal(null);
      expect(await claim('agent-4', ['rust'])).to.not.equal(null);
    });

    it('gives a task without needed capabilities to any agent, even one with none', async () => {
      const task = await submit({ neededCapabilities: [] });
      expect((await claimOrThrow('agent-bare', [])).id).to.equal(task.id);
    });

    it('skips tasks the agent cannot serve and hands out the best one it can', async () => {
      await submit({ priority: 0, neededCapabilities: ['gpu'] });
      const servable = await submit({ priority: 3, neededCapabilities: ['git'] });
      await submit({ priority: 3, neededCapabilities: ['git'] });
      expect((await claimOrThrow('agent-1', ['git'])).id).to.equal(servable.id);
    });

    it('orders tasks of different capability sets by lane, then by seq', async () => {
      const normalGit = await submit({ priority: 2, neededCapabilities: ['git'] });
      const normalAny = await submit({ priority: 2 });
      const highRust = await submit({ priority: 1, neededCapabilities: ['rust'] });
      const order = [];
      for (let i = 0; i < 3; i++) order.push((await claimOrThrow(`agent-${i}`, ['git', 'rust'])).id);
      expect(order).to.deep.equal([highRust.id, normalGit.id, normalAny.id]);
    });
  });

  describe('report fencing', () => {
    it('completes a task reported by its assignee at its generation', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      const done = value(await queue.complete(reportFor(claimed), { ok: 1 }, 42, t0 + 9));
      expect(done).to.include({ status: 'completed', tokens_used: 42, updated_at: t0 + 9 });
      expect(done.result).to.deep.equal({ ok: 1 });
      expect(queue.get(claimed.id)).to.deep.equal(done);
      expect(queue.stats().byStatus.completed).to.equal(1);
    });

    it('refuses a complete with a stale generation and changes nothing', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_STALE_GENERATION', () =>
        queue.complete(reportFor(claimed, { generation: claimed.generation - 1 }), null, null, t0 + 9));
    });

    it('refuses a fail with a stale generation and changes nothing', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_STALE_GENERATION', () =>
        queue.fail(reportFor(claimed, { generation: claimed.generation + 1 }), 'boom', t0 + 9));
    });

    it('counts a report without a generation as generation 0', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_STALE_GENERATION', () =>
        queue.complete(reportFor(claimed, { generation: undefined }), null, null, t0 + 9));
    });

    it('refuses a report from an agent that does not hold the task and changes nothing', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_NOT_ASSIGNEE', () =>
        queue.complete(reportFor(claimed, { agentId: 'agent-2' }), null, null, t0 + 9));
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_NOT_ASSIGNEE', () =>
        queue.fail(reportFor(claimed, { agentId: 'agent-2' }), 'boom', t0 + 9));
    });

    it('refuses a report about a queued task and changes nothing', async () => {
      const queued = await submit();
      await expectRefusedWithoutChange(queued.id, 'AC_ERR_INVALID_STATE', () =>
        queue.complete({ taskId: queued.id, agentId: 'agent-1', generation: 0 }, null, null, t0 + 9));
    });

    it('refuses a second complete of a completed task and changes nothing', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      value(await queue.complete(reportFor(claimed), 'first', 1, t0 + 9));
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_INVALID_STATE', () =>
        queue.complete(reportFor(claimed), 'second', 2, t0 + 10));
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_INVALID_STATE', () =>
        queue.fail(reportFor(claimed), 'late failure', t0 + 10));
    });

    it('refuses a report about an unknown task', async () => {
      const statsBefore = queue.stats();
      const result = await queue.complete({ taskId: 'task-ffffffffffffffff', agentId: 'a', generation: 1 }, null, null, t0);
      expect(codeOf(result)).to.equal('AC_ERR_TASK_NOT_FOUND');
      expect(queue.get('task-ffffffffffffffff')).to.equal(undefined);
      expect(queue.stats()).to.deep.equal(statsBefore);
    });

    it('rejects the old assignee after the task was reclaimed and handed to another agent', async () => {
      await submit();
      const first = await claimOrThrow('agent-1');
      value(await queue.reclaim(first.id, 'agent_disconnect', t0 + 2));
      const second = await claimOrThrow('agent-2', [], t0 + 3);
      expect(second.generation).to.equal(first.generation + 2);
      await expectRefusedWithoutChange(first.id, 'AC_ERR_STALE_GENERATION', () =>
        queue.complete(reportFor(first), 'late', 1, t0 + 4));
    });

    it('accepts a hub-internal report that names no agent', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      const done = value(await queue.complete(reportFor(claimed, { agentId: null }), null, null, t0 + 9));
      expect(done.status).to.equal('completed');
    });
  });

  describe('assignedTo', () => {
    it('finds the task an agent holds, forgets it once done, and knows it again after a reopen', async () => {
      const first = await submit();
      await submit();
      const held = await claimOrThrow('holder');
      expect(held.id).to.equal(first.id);
      expect(queue.assignedTo('holder').map((task) => task.id)).to.deep.equal([first.id]);
      expect(queue.assignedTo('someone-else')).to.deep.equal([]);
      await reopen();
      expect(queue.assignedTo('holder').map((task) => task.id)).to.deep.equal([first.id]);
      value(await queue.complete({ taskId: first.id, agentId: 'holder', generation: held.generation }, null, null, t0 + 2));
      expect(queue.assignedTo('holder')).to.deep.equal([]);
    });
  });

  describe('accept and progress', () => {
    it('records acceptance from the assignee without a generation', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      const accepted = value(await queue.accept(reportFor(claimed, { generation: undefined }), t0 + 3));
      expect(accepted).to.include({ accepted_at: t0 + 3, status: 'assigned' });
    });

    it('refreshes updated_at on progress without adding history', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      const progressed = value(await queue.progress(reportFor(claimed), t0 + 50));
      expect(progressed.updated_at).to.equal(t0 + 50);
      expect(progressed.history).to.deep.equal(claimed.history);
    });

    it('refuses acceptance from another agent and changes nothing', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_NOT_ASSIGNEE', () =>
        queue.accept(reportFor(claimed, { agentId: 'agent-2', generation: undefined }), t0 + 3));
    });
  });

  describe('assignDirect', () => {
    it('creates a task assigned to the agent that never enters the queue', async () => {
      const pushed = value(await queue.assignDirect('agent-1', newTask(), t0));
      expect(pushed).to.include({ status: 'assigned', assigned_to: 'agent-1', generation: 1 });
      expect(await claim('agent-2')).to.equal(null);
      expect(queue.assigned().map((t) => t.id)).to.deep.equal([pushed.id]);
    });
  });

  describe('fail and dead letters', () => {
    it('requeues a failed task with one more retry, a new generation and the error', async () => {
      await submit({ maxRetries: 3 });
      const claimed = await claimOrThrow('agent-1');
      const { task, outcome } = value(await queue.fail(reportFor(claimed), 'compile error', t0 + 5));
      expect(outcome).to.equal('retried');
      expect(task).to.include({
        status: 'queued', retry_count: 1, generation: claimed.generation + 1, last_error: 'compile error', assigned_to: null,
      });
      expect(task.seq).to.equal(claimed.seq);
      expect(queue.stats().byStatus.queued).to.equal(1);
    });

    it('dead-letters a task once its retries reach max_retries (retries after the first attempt)', async () => {
      await submit({ maxRetries: 1 });
      const first = await claimOrThrow('agent-1');
      expect(value(await queue.fail(reportFor(first), 'e1', t0 + 2)).outcome).to.equal('retried');
      const second = await claimOrThrow('agent-1', [], t0 + 3);
      const { task, outcome } = value(await queue.fail(reportFor(second), 'e2', t0 + 4));
      expect(outcome).to.equal('dead_letter');
      expect(task).to.include({ status: 'dead_letter', retry_count: 1, last_error: 'e2' });
      expect(queue.get(task.id)).to.deep.equal(task);
      expect(await claim('agent-2')).to.equal(null);
      expect(queue.stats().byStatus).to.include({ queued: 0, assigned: 0, dead_letter: 1 });
      expect(queue.listDeadLetters({}).tasks.map((t) => t.id)).to.deep.equal([task.id]);
    });

    it('dead-letters on the first failure when max_retries is 0', async () => {
      await submit({ maxRetries: 0 });
      const claimed = await claimOrThrow('agent-1');
      expect(value(await queue.fail(reportFor(claimed), 'e', t0 + 2)).outcome).to.equal('dead_letter');
    });

    it('parks a retry in the delayed lane for an exponential, jittered, capped backoff recorded in its history', async () => {
      await submit({ maxRetries: 5, retryBackoffMs: 1_000, retryBackoffMaxMs: 3_000 });
      const waits: number[] = [];
      let now = t0 + 1;
      for (let retry = 1; retry <= 3; retry++) {
        const claimed = await claimOrThrow('agent-1', [], now);
        const { task, outcome } = value(await queue.fail(reportFor(claimed), 'flaky', now + 1));
        expect(outcome).to.equal('retried');
        const entry = task.history[0];
        expect(entry.event).to.equal('retry');
        const backoff = entry.details.backoff_ms as number;
        expect(task).to.include({ status: 'delayed', retry_count: retry, not_before: now + 1 + backoff });
        expect(entry.details.retry_at).to.equal(now + 1 + backoff);
        expect(await claim('agent-1', [], now + 1 + backoff - 1)).to.equal(null);
        waits.push(backoff);
        value(await queue.promoteDue(now + 1 + backoff));
        now += 1 + backoff;
      }
      // Retry n waits between half and all of min(cap, base * 2^(n-1)).
      expect(waits[0]).to.be.within(500, 1_000);
      expect(waits[1]).to.be.within(1_000, 2_000);
      expect(waits[2]).to.be.within(1_500, 3_000);
    });

    it('retries a dead letter with a fresh budget and a new generation', async () => {
      await submit({ maxRetries: 0 });
      const claimed = await claimOrThrow('agent-1');
      const dead = value(await queue.fail(reportFor(claimed), 'e', t0 + 2)).task;
      const retried = value(await queue.retryDeadLetter(dead.id, t0 + 3));
      expect(retried).to.include({ status: 'queued', retry_count: 0, last_error: null, generation: dead.generation + 1 });
      expect(queue.stats().byStatus).to.include({ queued: 1, dead_letter: 0 });
      expect(queue.listDeadLetters({}).tasks).to.deep.equal([]);
      const again = await claimOrThrow('agent-2', [], t0 + 4);
      expect(again).to.include({ id: dead.id, generation: dead.generation + 2 });
    });

    it('refuses to retry a task that is not a dead letter', async () => {
      const queued = await submit();
      await expectRefusedWithoutChange(queued.id, 'AC_ERR_INVALID_STATE', () => queue.retryDeadLetter(queued.id, t0 + 1));
      expect(codeOf(await queue.retryDeadLetter('task-0123456789abcdef', t0))).to.equal('AC_ERR_TASK_NOT_FOUND');
    });

    it('purges one dead letter by id', async () => {
      const dead = await deadLetter('a');
      const kept = await deadLetter('b');
      expect(value(await queue.purgeDeadLetters(dead.id))).to.equal(1);
      expect(queue.get(dead.id)).to.equal(undefined);
      expect(queue.get(kept.id)?.status).to.equal('dead_letter');
      expect(queue.stats().byStatus.dead_letter).to.equal(1);
      expect(codeOf(await queue.purgeDeadLetters(dead.id))).to.equal('AC_ERR_TASK_NOT_FOUND');
    });

    it('purges every dead letter and leaves active tasks alone', async () => {
      const deads = [await deadLetter('a'), await deadLetter('b'), await deadLetter('c')];
      const active = await submit({ description: 'still queued' });
      expect(value(await queue.purgeDeadLetters())).to.equal(3);
      for (const dead of deads) expect(queue.get(dead.id)).to.equal(undefined);
      expect(queue.get(active.id)?.status).to.equal('queued');
      expect(queue.stats().byStatus).to.include({ dead_letter: 0, queued: 1 });
      await reopen();
      expect(queue.stats().byStatus).to.include({ dead_letter: 0, queued: 1 });
      expect(queue.listDeadLetters({}).tasks).to.deep.equal([]);
    });

    async function deadLetter(description: string): Promise<TaskRecord> {
      const task = await submit({ description, maxRetries: 0 });
      const claimed = await claimOrThrow('agent-x');
      expect(claimed.id).to.equal(task.id);
      return value(await queue.fail(reportFor(claimed), 'e', t0 + 2)).task;
    }
  });

  describe('reclaim', () => {
    it('puts a reclaimed task back ahead of newer tasks in its lane', async () => {
      const oldest = await submit({ description: 'oldest' });
      await claimOrThrow('agent-1');
      const newer = await submit({ description: 'newer' });
      const reclaimed = value(await queue.reclaim(oldest.id, 'stuck', t0 + 5));
      expect(reclaimed).to.include({ status: 'queued', assigned_to: null, assigned_at: null, generation: 2, seq: oldest.seq });
      expect(reclaimed.history[0]).to.deep.include({ event: 'reclaimed', details: { reason: 'stuck', agent_id: 'agent-1' } });
      expect((await claimOrThrow('agent-2', [], t0 + 6)).id).to.equal(oldest.id);
      expect((await claimOrThrow('agent-3', [], t0 + 6)).id).to.equal(newer.id);
    });

    it('refuses to reclaim a newer assignment than the caller expected and changes nothing', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_STALE_GENERATION', () =>
        queue.reclaim(claimed.id, 'acceptance_timeout', t0 + 5, claimed.generation - 1));
    });

    it('refuses to reclaim a task that is not assigned and changes nothing', async () => {
      const queued = await submit();
      await expectRefusedWithoutChange(queued.id, 'AC_ERR_INVALID_STATE', () => queue.reclaim(queued.id, 'overdue', t0 + 5));
      expect(codeOf(await queue.reclaim('task-0123456789abcdef', 'overdue', t0))).to.equal('AC_ERR_TASK_NOT_FOUND');
    });
  });

  describe('cancel', () => {
    it('cancels a queued task so that no agent gets it', async () => {
      const task = await submit();
      expect(value(await queue.cancel(task.id, t0 + 1)).status).to.equal('cancelled');
      expect(await claim('agent-1')).to.equal(null);
      expect(queue.stats().byStatus).to.include({ queued: 0, cancelled: 1 });
      expect(queue.stats().queuedByPriority['2']).to.equal(0);
    });

    it('cancels a delayed task so that it is never promoted', async () => {
      const task = await submit({ notBefore: t0 + 1000 });
      value(await queue.cancel(task.id, t0 + 1));
      expect(value(await queue.promoteDue(t0 + 2000))).to.deep.equal([]);
      expect(queue.nextDelayedAt()).to.equal(null);
      expect(queue.get(task.id)?.status).to.equal('cancelled');
    });

    it('cancels an assigned task and then refuses its assignee\'s completion', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      value(await queue.cancel(claimed.id, t0 + 2));
      expect(queue.assigned()).to.deep.equal([]);
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_INVALID_STATE', () =>
        queue.complete(reportFor(claimed), null, null, t0 + 3));
    });

    it('refuses to cancel a completed task and changes nothing', async () => {
      await submit();
      const claimed = await claimOrThrow('agent-1');
      value(await queue.complete(reportFor(claimed), null, null, t0 + 2));
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_INVALID_STATE', () => queue.cancel(claimed.id, t0 + 3));
    });

    it('refuses to cancel a dead letter, a cancelled task or an unknown task', async () => {
      await submit({ maxRetries: 0 });
      const claimed = await claimOrThrow('agent-1');
      value(await queue.fail(reportFor(claimed), 'e', t0 + 2));
      await expectRefusedWithoutChange(claimed.id, 'AC_ERR_INVALID_STATE', () => queue.cancel(claimed.id, t0 + 3));
      const other = await submit();
      value(await queue.cancel(other.id, t0 + 3));
      await expectRefusedWithoutChange(other.id, 'AC_ERR_INVALID_STATE', () => queue.cancel(other.id, t0 + 4));
      expect(codeOf(await queue.cancel('task-0123456789abcdef', t0))).to.equal('AC_ERR_TASK_NOT_FOUND');
    });
  });

  describe('delayed tasks', () => {
    it('keeps a task whose not_before is in the future out of reach until it is promoted', async () => {
      const task = await submit({ notBefore: t0 + 1000 });
      expect(task.status).to.equal('delayed');
      expect(await claim('agent-1', [], t0 + 2000)).to.equal(null);
      expect(value(await queue.promoteDue(t0 + 999))).to.deep.equal([]);
      expect(await claim('agent-1', [], t0 + 2000)).to.equal(null);
      const promoted = value(await queue.promoteDue(t0 + 1000));
      expect(promoted.map((t) => [t.id, t.status])).to.deep.equal([[task.id, 'queued']]);
      expect((await claimOrThrow('agent-1', [], t0 + 1001)).id).to.equal(task.id);
    });

    it('queues a task whose not_before has already passed', async () => {
      const task = await submit({ notBefore: t0 - 1 });
      expect(task.status).to.equal('queued');
    });

    it('reports the earliest not_before, and null when nothing is delayed', async () => {
      expect(queue.nextDelayedAt()).to.equal(null);
      await submit({ notBefore: t0 + 3000 });
      await submit({ notBefore: t0 + 1000 });
      await submit({ notBefore: t0 + 2000 });
      expect(queue.nextDelayedAt()).to.equal(t0 + 1000);
      value(await queue.promoteDue(t0 + 2500));
      expect(queue.nextDelayedAt()).to.equal(t0 + 3000);
      value(await queue.promoteDue(t0 + 3000));
      expect(queue.nextDelayedAt()).to.equal(null);
    });

    it('promotes every due task in one call and counts them as queued', async () => {
      for (let i = 0; i < 5; i++) await submit({ notBefore: t0 + 100 + i, priority: i % 4 });
      expect(value(await queue.promoteDue(t0 + 102))).to.have.length(3);
      expect(queue.stats().byStatus).to.include({ queued: 3, delayed: 2 });
    });

    it('places a promoted task by its submission order within its lane', async () => {
      const early = await submit({ notBefore: t0 + 1000 });
      const later = await submit();
      value(await queue.promoteDue(t0 + 1000));
      expect((await claimOrThrow('agent-1', [], t0 + 1001)).id).to.equal(early.id);
      expect((await claimOrThrow('agent-2', [], t0 + 1001)).id).to.equal(later.id);
    });
  });

  describe('idempotent submit', () => {
    it('returns the existing task for a repeated key without creating another', async () => {
      const first = value(await queue.submit(newTask({ idempotencyKey: 'k1' }), t0));
      const second = value(await queue.submit(newTask({ idempotencyKey: 'k1' }), t0 + 5));
      expect(first.created).to.equal(true);
      expect(second.created).to.equal(false);
      expect(second.task).to.deep.equal(first.task);
      expect(queue.stats().byStatus.queued).to.equal(1);
    });

    it('returns the task in its current state, not as it was submitted', async () => {
      value(await queue.submit(newTask({ idempotencyKey: 'k1' }), t0));
      const claimed = await claimOrThrow('agent-1');
      const again = value(await queue.submit(newTask({ idempotencyKey: 'k1' }), t0 + 5));
      expect(again.task).to.deep.equal(claimed);
    });

    it('refuses a repeated key with a different description and stores nothing', async () => {
      value(await queue.submit(newTask({ idempotencyKey: 'k1', description: 'one' }), t0));
      const statsBefore = queue.stats();
      const conflict = await queue.submit(newTask({ idempotencyKey: 'k1', description: 'two' }), t0 + 5);
      expect(codeOf(conflict)).to.equal('AC_ERR_IDEMPOTENCY_CONFLICT');
      expect(queue.stats()).to.deep.equal(statsBefore);
      expect(queue.list({}).tasks.map((t) => t.description)).to.deep.equal(['one']);
    });

    it('creates separate tasks for different keys', async () => {
      const a = value(await queue.submit(newTask({ idempotencyKey: 'k1' }), t0));
      const b = value(await queue.submit(newTask({ idempotencyKey: 'k2' }), t0));
      expect(a.task.id).to.not.equal(b.task.id);
    });

    it('deduplicates two submits of one key in flight at the same time', async () => {
      const [a, b] = await Promise.all([
        queue.submit(newTask({ idempotencyKey: 'k1' }), t0),
        queue.submit(newTask({ idempotencyKey: 'k1' }), t0),
      ]);
      expect(value(a).task.id).to.equal(value(b).task.id);
      expect([value(a).created, value(b).created]).to.deep.equal([true, false]);
      expect(queue.stats().byStatus.queued).to.equal(1);
    });

    it('remembers keys across a reopen', async () => {
      const first = value(await queue.submit(newTask({ idempotencyKey: 'k1', description: 'one' }), t0));
      await reopen();
      const again = value(await queue.submit(newTask({ idempotencyKey: 'k1', description: 'one' }), t0 + 5));
      expect(again).to.deep.equal({ task: first.task, created: false });
      expect(codeOf(await queue.submit(newTask({ idempotencyKey: 'k1', description: 'two' }), t0 + 6)))
        .to.equal('AC_ERR_IDEMPOTENCY_CONFLICT');
    });
  });

  describe('list', () => {
    it('lists tasks newest first', async () => {
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await submit({ priority: i % 4 })).id);
      expect(queue.list({}).tasks.map((t) => t.id)).to.deep.equal([...ids].reverse());
      expect(queue.list({}).nextCursor).to.equal(null);
    });

    it('pages through every task exactly once with the cursor', async () => {
      const ids = [];
      for (let i = 0; i < 11; i++) ids.push((await submit({ description: `t${i}` })).id);
      await claimOrThrow('agent-1');
      await claimOrThrow('agent-2');
      const seen: string[] = [];
      let cursor: number | undefined;
      let pages = 0;
      for (;;) {
        const page = queue.list({ limit: 3, cursor });
        expect(page.tasks.length).to.be.at.most(3);
        seen.push(...page.tasks.map((t) => t.id));
        pages += 1;
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
        expect(pages).to.be.below(20);
      }
      expect(seen).to.deep.equal([...ids].reverse());
      expect(pages).to.equal(4);
    });

    it('pages through dead letters exactly once with the cursor', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) {
        await submit({ maxRetries: 0 });
        const claimed = await claimOrThrow('agent-1');
        ids.push(value(await queue.fail(reportFor(claimed), 'e', t0 + 2)).task.id);
      }
      const first = queue.listDeadLetters({ limit: 2 });
      const second = queue.listDeadLetters({ limit: 2, cursor: first.nextCursor ?? undefined });
      const third = queue.listDeadLetters({ limit: 2, cursor: second.nextCursor ?? undefined });
      expect([...first.tasks, ...second.tasks, ...third.tasks].map((t) => t.id)).to.deep.equal([...ids].reverse());
      expect(third.nextCursor).to.equal(null);
    });

    it('ends with a null cursor when the last page is exactly full', async () => {
      for (let i = 0; i < 4; i++) await submit();
      const first = queue.list({ limit: 2 });
      expect(first.nextCursor).to.not.equal(null);
      const second = queue.list({ limit: 2, cursor: first.nextCursor ?? undefined });
      expect(second.tasks).to.have.length(2);
      expect(second.nextCursor).to.equal(null);
    });

    it('filters by status, priority, assignee and capability', async () => {
      const urgentGit = await submit({ priority: 0, neededCapabilities: ['git'] });
      const lowRust = await submit({ priority: 3, neededCapabilities: ['rust', 'git'] });
      const normal = await submit({ priority: 2 });
      const delayed = await submit({ priority: 2, notBefore: t0 + 10_000 });
      const claimed = await claimOrThrow('agent-1', ['git']);
      expect(claimed.id).to.equal(urgentGit.id);
      const ids = (filter: Parameters<QueueEngine['list']>[0]) => queue.list(filter).tasks.map((t) => t.id);
      expect(ids({ status: 'queued' })).to.deep.equal([normal.id, lowRust.id]);
      expect(ids({ status: 'delayed' })).to.deep.equal([delayed.id]);
      expect(ids({ status: 'assigned' })).to.deep.equal([urgentGit.id]);
      expect(ids({ priority: 2 })).to.deep.equal([delayed.id, normal.id]);
      expect(ids({ assignedTo: 'agent-1' })).to.deep.equal([urgentGit.id]);
      expect(ids({ assignedTo: 'agent-2' })).to.deep.equal([]);
      expect(ids({ capability: 'git' })).to.deep.equal([lowRust.id, urgentGit.id]);
      expect(ids({ capability: 'rust', status: 'queued' })).to.deep.equal([lowRust.id]);
      expect(ids({ status: 'queued', priority: 3 })).to.deep.equal([lowRust.id]);
    });

    it('includes dead letters when no status is given', async () => {
      await submit({ maxRetries: 0 });
      const claimed = await claimOrThrow('agent-1');
      value(await queue.fail(reportFor(claimed), 'e', t0 + 2));
      expect(queue.list({}).tasks.map((t) => [t.id, t.status])).to.deep.equal([[claimed.id, 'dead_letter']]);
    });
  });

  describe('reopen', () => {
    it('keeps every task and the same stats', async () => {
      await submit({ priority: 0 });
      await submit({ priority: 1, neededCapabilities: ['git'] });
      await submit({ notBefore: t0 + 5000 });
      await submit({ maxRetries: 1, priority: 3 });
      const claimed = await claimOrThrow('agent-1');
      value(await queue.complete(reportFor(claimed), null, null, t0 + 2));
      const stats = queue.stats();
      const all = queue.list({}).tasks;
      await reopen();
      expect(queue.stats()).to.deep.equal(stats);
      expect(queue.list({}).tasks).to.deep.equal(all);
      expect(queue.nextDelayedAt()).to.equal(t0 + 5000);
    });

    it('returns in-flight tasks from assigned() after a reopen', async () => {
      await submit();
      await submit();
      await submit();
      const a = await claimOrThrow('agent-1');
      const b = await claimOrThrow('agent-2');
      await reopen();
      expect(queue.assigned().map((t) => t.id).sort()).to.deep.equal([a.id, b.id].sort());
      const done = value(await queue.complete(reportFor(a), null, null, t0 + 5));
      expect(done.status).to.equal('completed');
    });

    it('continues the seq without reusing one', async () => {
      const before = [await submit(), await submit(), await submit()];
      await reopen();
      const after = await submit({ priority: 0 });
      expect(after.seq).to.equal(Math.max(...before.map((t) => t.seq)) + 1);
    });

    it('still matches queued tasks by capability after a reopen', async () => {
      await submit({ neededCapabilities: ['gpu'] });
      const git = await submit({ neededCapabilities: ['git'] });
      await reopen();
      expect(await claim('agent-1', ['python'])).to.equal(null);
      expect((await claimOrThrow('agent-2', ['git'])).id).to.equal(git.id);
      expect(queue.stats().capabilitySets).to.equal(2);
      const rustAndGit = await submit({ neededCapabilities: ['rust', 'git'] });
      expect(queue.stats().capabilitySets).to.equal(3);
      expect((await claimOrThrow('agent-3', ['git', 'rust'])).id).to.equal(rustAndGit.id);
    });
  });

  describe('close', () => {
    it('refuses writes after close with AC_ERR_QUEUE_CLOSED', async () => {
      await queue.close();
      expect(codeOf(await queue.submit(newTask(), t0))).to.equal('AC_ERR_QUEUE_CLOSED');
      queue = await engine.openAgain();
    });
  });
}
