import { expect } from 'chai';
import fc from 'fast-check';
import type { Result } from '../../../storage/domain/errors.ts';
import type { QueueStats } from '../../../storage/queue-engine.ts';
import { checkReport } from '../../../storage/report-fencing.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { TaskRecord } from '../../../storage/task-record.ts';
import { taskStatuses, type TaskStatus } from '../../../storage/domain/task-status.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir } from '../../support/temp-dir.ts';

// The model: what the queue should hold, kept as plain objects and changed by the spec's rules.
interface ModelTask {
  id: string;
  seq: number;
  priority: number;
  caps: string[];
  status: TaskStatus;
  generation: number;
  retryCount: number;
  maxRetries: number;
  assignedTo: string | null;
  notBefore: number | null;
}

const alphabet = ['git', 'rust', 'gpu'];
const capSet = fc.subarray(alphabet);
const agentId = fc.constantFrom('agent-0', 'agent-1', 'agent-2', 'agent-3');
const pick = fc.nat({ max: 50 });

const operation = fc.oneof(
  { weight: 5, arbitrary: fc.record({
    kind: fc.constant('submit' as const),
    priority: fc.integer({ min: 0, max: 3 }),
    caps: capSet,
    maxRetries: fc.integer({ min: 0, max: 3 }),
    delayMs: fc.option(fc.integer({ min: 1, max: 50 }), { freq: 4 }),
  }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('claim' as const), agent: agentId, caps: capSet }) },
  { weight: 1, arbitrary: fc.record({
    kind: fc.constant('claimBurst' as const),
    claims: fc.array(fc.record({ agent: agentId, caps: capSet }), { minLength: 2, maxLength: 4 }),
  }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reclaim' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('staleReport' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retryDeadLetter' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('promote' as const), advanceMs: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

class QueueModel {
  readonly tasks = new Map<string, ModelTask>();

  /** The task claimNext must return: highest lane, then oldest seq, among those the agent can serve. */
  expectedClaim(agentCaps: readonly string[], skip: ReadonlySet<string> = new Set()): ModelTask | null {
    let best: ModelTask | null = null;
    for (const task of this.tasks.values()) {
      if (task.status !== 'queued' || skip.has(task.id)) continue;
      if (!task.caps.every((c) => agentCaps.includes(c))) continue;
      if (!best || task.priority < best.priority || (task.priority === best.priority && task.seq < best.seq)) best = task;
    }
    return best;
  }

  inStatus(...statuses: TaskStatus[]): ModelTask[] {
    return [...this.tasks.values()].filter((t) => statuses.includes(t.status)).sort((a, b) => a.seq - b.seq);
  }

  stats(): Pick<QueueStats, 'byStatus' | 'queuedByPriority'> {
    const byStatus = Object.fromEntries(taskStatuses.map((s) => [s, 0])) as Record<TaskStatus, number>;
    const queuedByPriority: Record<string, number> = { 0: 0, 1: 0, 2: 0, 3: 0 };
    for (const task of this.tasks.values()) {
      byStatus[task.status] += 1;
      if (task.status === 'queued') queuedByPriority[String(task.priority)] += 1;
    }
    return { byStatus, queuedByPriority };
  }
}

function choose<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function expectSameTask(actual: TaskRecord | undefined, expected: ModelTask): void {
  expect(actual, `task ${expected.id}`).to.not.equal(undefined);
  expect({
    status: actual!.status, generation: actual!.generation, retryCount: actual!.retry_count,
    assignedTo: actual!.status === 'assigned' ? actual!.assigned_to : null, seq: actual!.seq,
  }, `task ${expected.id}`).to.deep.equal({
    status: expected.status, generation: expected.generation, retryCount: expected.retryCount,
    assignedTo: expected.status === 'assigned' ? expected.assignedTo : null, seq: expected.seq,
  });
}

/** `fence` (the index of assigned tasks, no record read) decides every report as checkReport does on the stored record. */
function expectSameFence(queue: LmdbTaskQueue, expected: ModelTask): void {
  const agent = expected.assignedTo ?? 'nobody';
  for (const report of [
    { taskId: expected.id, agentId: agent, generation: expected.generation },
    { taskId: expected.id, agentId: agent, generation: expected.generation - 1 },
    { taskId: expected.id, agentId: `${agent}-other`, generation: expected.generation },
  ]) {
    const fenced = queue.fence(report, 'task_complete');
    const onRecord = checkReport(queue.get(expected.id), report, 'task_complete');
    expect(fenced.ok ? 'ok' : fenced.code, `fence of ${JSON.stringify(report)}`).to.equal(onRecord.ok ? 'ok' : onRecord.code);
  }
}

async function runWorkload(operations: Operation[]): Promise<void> {
  const dir = makeTempDir('queue-property');
  let queue = LmdbTaskQueue.open(dir.path);
  const model = new QueueModel();
  let now = 1_000_000;
  let nextSeq = 1;

  const claimed = (task: TaskRecord | null, agent: string, caps: readonly string[], skip: Set<string>) => {
    const expected = model.expectedClaim(caps, skip);
    expect(task?.id ?? null, `claim by ${agent} with [${caps.join(',')}]`).to.equal(expected?.id ?? null);
    if (!task || !expected) return;
    expect(expected.status, 'a task handed out while assigned').to.equal('queued');
    expected.status = 'assigned';
    expected.assignedTo = agent;
    expected.generation += 1;
    expectSameTask(task, expected);
  };

  try {
    for (const op of operations) {
      now += 1;
      switch (op.kind) {
        case 'submit': {
          const notBefore = op.delayMs === null ? null : now + op.delayMs;
          const { task } = value(await queue.submit(newTask({
            priority: op.priority, neededCapabilities: op.caps, maxRetries: op.maxRetries, notBefore,
          }), now));
          const expected: ModelTask = {
            id: task.id, seq: nextSeq++, priority: op.priority, caps: op.caps, status: notBefore === null ? 'queued' : 'delayed',
            generation: 0, retryCount: 0, maxRetries: op.maxRetries, assignedTo: null, notBefore,
          };
          model.tasks.set(task.id, expected);
          expectSameTask(task, expected);
          break;
        }
        case 'claim': {
          claimed(value(await queue.claimNext(op.agent, op.caps, now)), op.agent, op.caps, new Set());
          break;
        }
        case 'claimBurst': {
          // Started in one tick: each claim must skip the tasks the earlier ones are taking.
          const results = await Promise.all(op.claims.map((c) => queue.claimNext(c.agent, c.caps, now)));
          const taken = new Set<string>();
          results.forEach((result, i) => {
            const task = value(result);
            const expected = model.expectedClaim(op.claims[i].caps, taken);
            expect(task?.id ?? null, `burst claim ${i}`).to.equal(expected?.id ?? null);
            if (task) taken.add(task.id);
          });
          for (const [i, result] of results.entries()) {
            const task = value(result);
            if (task) {
              const expected = model.tasks.get(task.id)!;
              expect(expected.status, 'a task handed out while assigned').to.equal('queued');
              Object.assign(expected, { status: 'assigned', assignedTo: op.claims[i].agent, generation: expected.generation + 1 });
              expectSameTask(task, expected);
            }
          }
          break;
        }
        case 'complete': {
          const target = choose(model.inStatus('assigned'), op.pick);
          if (!target) break;
          const report = { taskId: target.id, agentId: target.assignedTo, generation: target.generation };
          value(await queue.complete(report, { ok: true }, 1, now));
          target.status = 'completed';
          expectSameTask(queue.get(target.id), target);
          break;
        }
        case 'fail': {
          const target = choose(model.inStatus('assigned'), op.pick);
          if (!target) break;
          const report = { taskId: target.id, agentId: target.assignedTo, generation: target.generation };
          const { outcome } = value(await queue.fail(report, 'boom', now));
          if (target.retryCount >= target.maxRetries) {
            expect(outcome).to.equal('dead_letter');
            target.status = 'dead_letter';
          } else {
            expect(outcome).to.equal('retried');
            Object.assign(target, { status: 'queued', retryCount: target.retryCount + 1, generation: target.generation + 1 });
          }
          expectSameTask(queue.get(target.id), target);
          break;
        }
        case 'reclaim': {
          const target = choose(model.inStatus('assigned'), op.pick);
          if (!target) break;
          value(await queue.reclaim(target.id, 'agent_disconnect', now, target.generation));
          Object.assign(target, { status: 'queued', generation: target.generation + 1 });
          expectSameTask(queue.get(target.id), target);
          break;
        }
        case 'cancel': {
          const target = choose(model.inStatus(...taskStatuses), op.pick);
          if (!target) break;
          const result = await queue.cancel(target.id, now);
          if (['queued', 'delayed', 'assigned'].includes(target.status)) {
            value(result);
            target.status = 'cancelled';
          } else {
            expect(result.ok ? 'ok' : result.code).to.equal('AC_ERR_INVALID_STATE');
          }
          expectSameTask(queue.get(target.id), target);
          break;
        }
        case 'staleReport': {
          const target = choose(model.inStatus('assigned'), op.pick);
          if (!target) break;
          const before = queue.get(target.id);
          const result = await queue.complete({ taskId: target.id, agentId: target.assignedTo, generation: target.generation - 1 }, null, null, now);
          expect(result.ok ? 'ok' : result.code).to.equal('AC_ERR_STALE_GENERATION');
          expect(queue.get(target.id)).to.deep.equal(before);
          break;
        }
        case 'retryDeadLetter': {
          const target = choose(model.inStatus('dead_letter'), op.pick);
          if (!target) break;
          value(await queue.retryDeadLetter(target.id, now));
          Object.assign(target, { status: 'queued', retryCount: 0, generation: target.generation + 1 });
          expectSameTask(queue.get(target.id), target);
          break;
        }
        case 'promote': {
          now += op.advanceMs;
          const promoted = value(await queue.promoteDue(now));
          const due = model.inStatus('delayed').filter((t) => t.notBefore! <= now);
          expect(promoted.map((t) => t.id).sort()).to.deep.equal(due.map((t) => t.id).sort());
          for (const task of due) task.status = 'queued';
          const waiting = model.inStatus('delayed').map((t) => t.notBefore!);
          expect(queue.nextDelayedAt()).to.equal(waiting.length ? Math.min(...waiting) : null);
          break;
        }
        case 'reopen': {
          await queue.close();
          queue = LmdbTaskQueue.open(dir.path);
          break;
        }
      }
      const { byStatus, queuedByPriority } = queue.stats();
      expect({ byStatus, queuedByPriority }, `stats after ${op.kind}`).to.deep.equal(model.stats());
      expect(queue.assigned().map((t) => t.id).sort()).to.deep.equal(model.inStatus('assigned').map((t) => t.id).sort());
      for (const expected of model.tasks.values()) expectSameFence(queue, expected);
    }
    for (const expected of model.tasks.values()) expectSameTask(queue.get(expected.id), expected);
  } finally {
    await queue.close();
    dir.remove();
  }
}

describe('LmdbTaskQueue against an in-memory model', () => {
  it('hands out, retries, dead-letters and counts tasks exactly as the model does', async () => {
    await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 40 }), runWorkload), { numRuns: 40 });
  });

  it('never hands one queued task to two agents claiming at once', async () => {
    const burst = fc.array(fc.record({ agent: agentId, caps: capSet }), { minLength: 2, maxLength: 6 });
    const submits = fc.array(fc.record({
      kind: fc.constant('submit' as const), priority: fc.integer({ min: 0, max: 3 }), caps: capSet,
      maxRetries: fc.constant(3), delayMs: fc.constant(null),
    }), { minLength: 1, maxLength: 8 });
    await fc.assert(fc.asyncProperty(submits, burst, (tasks, claims) =>
      runWorkload([...tasks, { kind: 'claimBurst', claims }])), { numRuns: 30 });
  });
});
