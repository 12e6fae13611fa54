// The store's own share of a light-load submit: the queue alone (no HTTP, no hub, no
// sockets) writing one task already assigned to an idle agent and awaiting its flush, as
// the hub's submit does when an agent fits. Taken in the harness process before the hub
// starts, next to the 4 KiB fsync probe, so a latency run shows its floor and the
// hub's part side by side.
import { performance } from 'node:perf_hooks';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { agentCapabilities, fixtureTask } from './task-fixture.ts';
import { SampleRecorder, type LatencySummary } from './sample-stats.ts';
import { makeTempDir } from './temp-dir.ts';

const taker = { agentId: 'probe-agent', capabilities: agentCapabilities };

/** `submits` timed submits after `warmup`, each then accepted and completed (untimed) as the bench's agents do, `pauseMs` apart. */
export async function probeQueueCommit(submits: number, warmup: number, pauseMs: number): Promise<LatencySummary> {
  const dir = makeTempDir('queue-commit');
  const queue = LmdbTaskQueue.open(dir.path);
  const samples = new SampleRecorder();
  try {
    for (let i = 0; i < warmup + submits; i++) {
      const startedAt = performance.now();
      const submitted = await queue.submit(fixtureTask(i), Date.now(), taker);
      const tookMs = performance.now() - startedAt;
      if (!submitted.ok) throw new Error(`queue probe submit: ${submitted.code}`);
      const task = submitted.value.task;
      if (task.status !== 'assigned') throw new Error(`queue probe submit wrote ${task.status}, not assigned`);
      if (i >= warmup) samples.record(tookMs);
      const report = { taskId: task.id, agentId: taker.agentId, generation: task.generation };
      await queue.accept(report, Date.now());
      await queue.complete(report, { status: 'success' }, null, Date.now());
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  } finally {
    await queue.close();
    dir.remove();
  }
  return samples.summary();
}
