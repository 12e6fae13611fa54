// A writer for the crash-safety test: opens the queue in <dir> and writes until it is killed.
//
// Usage: node --import tsx test/support/queue-writer-child.ts <dir> [seed]
// Prints one JSON line per acknowledged write, right after its promise resolves:
//   {"op":"submit","task_id":"task-…","status":"queued","generation":0,"history_len":1,"event":"queued"}
// stdout to a pipe is synchronous on Linux, so a printed line was acknowledged before the next write.
import type { Result } from '../../storage/domain/errors.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import type { TaskRecord } from '../../storage/task-record.ts';
import { newTask } from './task-factory.ts';

export interface WriteAck {
  op: 'submit' | 'claim' | 'complete' | 'fail';
  task_id: string;
  status: string;
  generation: number;
  history_len: number;
  /** The newest history entry after the write: where the write sits in the task's history. */
  event: string;
}

const workers = 4;
const capabilityAlphabet = ['git', 'rust'];

const [dir, seedArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: queue-writer-child.ts <dir> [seed]\n');
  process.exit(2);
}
const random = mulberry32(Number(seedArg ?? Date.now()));
const queue = LmdbTaskQueue.open(dir);

function ack(op: WriteAck['op'], task: TaskRecord): void {
  const line: WriteAck = {
    op, task_id: task.id, status: task.status, generation: task.generation,
    history_len: task.history.length, event: task.history[0].event,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
  return result.value;
}

async function worker(agentId: string): Promise<never> {
  for (;;) {
    const submitted = expectOk(await queue.submit(newTask({
      description: `crash test ${agentId}`,
      priority: Math.floor(random() * 4),
      neededCapabilities: capabilityAlphabet.filter(() => random() < 0.3),
      maxRetries: 1 + Math.floor(random() * 3),
    }), Date.now()));
    ack('submit', submitted.task);
    const claimed = expectOk(await queue.claimNext(agentId, capabilityAlphabet, Date.now()));
    if (claimed === null) continue;
    ack('claim', claimed);
    const report = { taskId: claimed.id, agentId, generation: claimed.generation };
    if (random() < 0.6) {
      ack('complete', expectOk(await queue.complete(report, { by: agentId }, 10, Date.now())));
    } else {
      ack('fail', expectOk(await queue.fail(report, 'crash test failure', Date.now())).task);
    }
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

await Promise.all(Array.from({ length: workers }, (_, i) => worker(`agent-${i}`)));
