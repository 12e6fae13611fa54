// Worker: latency of a whole task life (submit → claimNext → complete, three durable writes)
// at a fixed offered rate, the same rate the BullMQ scenario offers its producer and worker.
import { performance } from 'node:perf_hooks';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { serveChild } from '../lib/child-process.ts';
import { openLoop } from '../lib/load-loops.ts';
import { Progress } from '../lib/progress.ts';
import { SampleRecorder, type LatencySummary } from '../lib/sample-stats.ts';
import { agentCapabilities, fixtureTask } from '../lib/task-fixture.ts';
import { makeTempDir } from '../lib/temp-dir.ts';

export interface QueuePacedInput {
  ratePerSec: number;
  warmupMs: number;
  measureMs: number;
}

export interface QueuePacedOutput {
  completed: number;
  elapsedMs: number;
  latencyMs: LatencySummary;
}

serveChild<QueuePacedInput, QueuePacedOutput>(async (input) => {
  const progress = new Progress('queue/paced');
  const dir = makeTempDir('paced');
  const queue = LmdbTaskQueue.open(dir.path);
  const submittedAt = new Map<string, number>();
  let recorder: SampleRecorder | null = null;
  const tasksIn = (ms: number) => Math.round((input.ratePerSec * ms) / 1000);
  // claimNext hands out the oldest task, not necessarily the one this chain submitted,
  // so latency is taken per task id: from its submit call to its completion.
  const lifecycle = async (index: number) => {
    const agentId = `agent-${index % 64}`;
    const startedAt = performance.now();
    const submitted = await queue.submit(fixtureTask(index), Date.now());
    if (!submitted.ok) throw new Error(`submit: ${submitted.code}`);
    submittedAt.set(submitted.value.task.id, startedAt);
    const claimed = await queue.claimNext(agentId, agentCapabilities, Date.now());
    if (!claimed.ok || claimed.value === null) throw new Error('claimNext found nothing after a submit');
    const report = { taskId: claimed.value.id, agentId, generation: claimed.value.generation };
    const completed = await queue.complete(report, { summary: 'done' }, 1200, Date.now());
    if (!completed.ok) throw new Error(`complete: ${completed.code}`);
    const taskStartedAt = submittedAt.get(report.taskId);
    submittedAt.delete(report.taskId);
    if (recorder && taskStartedAt !== undefined) recorder.record(performance.now() - taskStartedAt);
  };
  try {
    progress.stage(`warm-up at ${input.ratePerSec}/s for ${input.warmupMs} ms`);
    await openLoop(input.ratePerSec, tasksIn(input.warmupMs), lifecycle);
    submittedAt.clear();
    recorder = new SampleRecorder();
    progress.stage(`measuring at ${input.ratePerSec}/s for ${input.measureMs} ms`);
    const { elapsedMs } = await openLoop(input.ratePerSec, tasksIn(input.measureMs), lifecycle);
    return { completed: recorder.count, elapsedMs, latencyMs: recorder.summary() };
  } finally {
    await queue.close();
    dir.remove();
  }
});
