// The claims' walk starts behind the front of a lane it has seen held back by leases
// (storage/blocked-prefixes.ts). Whatever it has stepped past, a claim must still hand out
// the first task that can run: this model replays random submits (in any lane), claims,
// completions, cancels and re-prioritising against the real LMDB queue, and compares every
// claim with the first queued task, in lane-then-FIFO order, whose files no assigned task holds.
// The tasks a completion frees for the hub (onLeaseWaitersFreed) must be runnable right then:
// a waiter that another lease still holds back keeps waiting, unseen.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Result } from '../../../storage/domain/errors.ts';
import { LmdbTaskQueue } from '../../../storage/task-queue.ts';
import type { TaskRecord } from '../../../storage/task-record.ts';
import { newTask } from '../../support/task-factory.ts';
import { makeTempDir } from '../../support/temp-dir.ts';

interface ModelTask {
  id: string;
  order: number;
  priority: number;
  files: string[];
  status: 'queued' | 'assigned' | 'done';
  assigned: TaskRecord | null;
}

const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts'];
const fileSet = fc.uniqueArray(fc.constantFrom(...files), { minLength: 0, maxLength: 2 });
const pick = fc.nat({ max: 40 });
const operation = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('submit' as const), priority: fc.integer({ min: 0, max: 3 }), files: fileSet }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('claim' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reprioritise' as const), pick, priority: fc.integer({ min: 0, max: 3 }) }) },
);

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.value;
}

describe('claims past a blocked lane front (fast-check against the real queue)', () => {
  it('every claim hands out the first queued task whose files no assigned task holds, or nothing when there is none; only runnable waiters are freed', async function () {
    this.timeout(120_000);
    await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 60 }), async (operations) => {
      const dir = makeTempDir('blocked-prefixes');
      const queue = LmdbTaskQueue.open(dir.path);
      const model: ModelTask[] = [];
      let order = 0;
      let now = 1_700_000_000_000;
      const of = (status: ModelTask['status']) => model.filter((task) => task.status === status);
      let freed: string[] = [];
      queue.onLeaseWaitersFreed((waiters) => freed.push(...waiters.map((waiter) => waiter.taskId)));
      try {
        for (const op of operations) {
          now += 1;
          if (op.kind === 'submit') {
            const task = value(await queue.submit(newTask({ priority: op.priority, paths: op.files.length > 0 ? op.files : undefined }), now)).task;
            model.push({ id: task.id, order: order++, priority: op.priority, files: op.files, status: 'queued', assigned: null });
          } else if (op.kind === 'claim') {
            const held = new Set(of('assigned').flatMap((task) => task.files));
            const expected = of('queued')
              .sort((x, y) => x.priority - y.priority || x.order - y.order)
              .find((task) => task.files.every((file) => !held.has(file)));
            const claimed = value(await queue.claimNext('agent', [], now));
            expect(claimed?.id ?? null, `claim after ${JSON.stringify(operations)}`).to.equal(expected?.id ?? null);
            if (expected && claimed) Object.assign(expected, { status: 'assigned', assigned: claimed });
          } else if (op.kind === 'complete') {
            const running = of('assigned');
            if (running.length === 0) continue;
            const task = running[op.pick % running.length]!;
            freed = [];
            value(await queue.complete({ taskId: task.id, agentId: 'agent', generation: task.assigned!.generation }, null, null, now));
            task.status = 'done';
            // Waiters of ended leases are checked again once a turn, after the writes that ended them.
            await new Promise((resolve) => setImmediate(resolve));
            const held = new Set(of('assigned').flatMap((running) => running.files));
            for (const id of freed) {
              const waiter = model.find((candidate) => candidate.id === id)!;
              expect(waiter.files.filter((file) => held.has(file)), `freed ${id} while held back, after ${JSON.stringify(operations)}`).to.deep.equal([]);
            }
          } else if (op.kind === 'cancel') {
            const waiting = of('queued');
            if (waiting.length === 0) continue;
            const task = waiting[op.pick % waiting.length]!;
            value(await queue.cancel(task.id, now));
            task.status = 'done';
          } else {
            const waiting = of('queued');
            if (waiting.length === 0) continue;
            const task = waiting[op.pick % waiting.length]!;
            value(await queue.reprioritise(task.id, op.priority, now));
            // Another lane, same place in time: it keeps its submission order there.
            task.priority = op.priority;
          }
        }
      } finally {
        await queue.close();
        dir.remove();
      }
    }), {
      numRuns: 60,
      // Tried first: a waiter for two files whose first holder ends while the second still runs.
      examples: [[[
        { kind: 'submit', priority: 0, files: ['a.ts'] }, { kind: 'claim' }, { kind: 'submit', priority: 0, files: ['b.ts'] }, { kind: 'claim' },
        { kind: 'submit', priority: 0, files: ['a.ts', 'b.ts'] }, { kind: 'claim' }, { kind: 'complete', pick: 0 },
      ]]],
    });
  });
});
