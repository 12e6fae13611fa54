// A writer for the workflow crash-safety test: submits a 1,000-task random graph in one
// bulk transaction, then drains it with a few workers (some tasks fail into the dead
// letters, cascading to their dependents), until it is killed.
//
// Usage: node --import tsx test/support/workflow-writer-child.ts <dir> <seed> <graph size>
// stderr gets "ready" just before the bulk submit. stdout gets one JSON line per acknowledged write:
//   {"op":"graph","ids":[…]}  {"op":"complete","task_id":"…"}  {"op":"dead","task_id":"…"}
import type { Result } from '../../storage/domain/errors.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { mulberry32, randomDag } from './random-dag.ts';
import { newTask } from './task-factory.ts';

export type WorkflowAck = { op: 'graph'; ids: string[] } | { op: 'complete' | 'dead'; task_id: string };

const workers = 4;

const [dir, seedArg, sizeArg] = process.argv.slice(2);
const graphSize = Number(sizeArg ?? 1_000);
if (!dir) {
  process.stderr.write('usage: workflow-writer-child.ts <dir> <seed> <graph size>\n');
  process.exit(2);
}
const random = mulberry32(Number(seedArg ?? 1));
const queue = LmdbTaskQueue.open(dir);
const ack = (line: WorkflowAck) => process.stdout.write(`${JSON.stringify(line)}\n`);

function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
  return result.value;
}

const dag = randomDag(graphSize, 2, random);
process.stderr.write('ready\n');
const outcomes = expectOk(await queue.submitBulk(dag.map((dependsOnItems, i) => ({
  input: newTask({ description: `node ${i}`, metadata: { graph: 'g', node: i }, maxRetries: 0 }),
  dependsOnItems,
})), true, Date.now()));
ack({ op: 'graph', ids: outcomes.map((outcome) => expectOk(outcome).task.id) });

async function worker(agentId: string): Promise<void> {
  for (;;) {
    const claimed = expectOk(await queue.claimNext(agentId, [], Date.now()));
    if (claimed === null) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    const report = { taskId: claimed.id, agentId, generation: claimed.generation };
    if (random() < 0.03) {
      expectOk(await queue.fail(report, 'crash test failure', Date.now()));
      ack({ op: 'dead', task_id: claimed.id });
    } else {
      expectOk(await queue.complete(report, { node: claimed.metadata.node }, null, Date.now()));
      ack({ op: 'complete', task_id: claimed.id });
    }
  }
}

await Promise.all(Array.from({ length: workers }, (_, i) => worker(`agent-${i}`)));
