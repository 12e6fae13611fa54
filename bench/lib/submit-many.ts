// Submits `count` tasks with `concurrency` calls in flight; used to fill stores, not to measure callers.
import type { QueueEngine } from '../../storage/queue-engine.ts';
import type { NewTask } from '../../storage/task-record.ts';

export async function submitMany(
  queue: QueueEngine,
  count: number,
  concurrency: number,
  nextTask: () => NewTask,
  onProgress: (done: number) => void = () => {},
): Promise<void> {
  let issued = 0;
  let done = 0;
  const caller = async () => {
    while (issued < count) {
      issued++;
      const outcome = await queue.submit(nextTask(), Date.now());
      if (!outcome.ok) throw new Error(`submit: ${outcome.code} ${outcome.detail}`);
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, caller));
}
