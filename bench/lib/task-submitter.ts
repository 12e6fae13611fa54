// Submits tasks over POST /api/tasks (or POST /api/tasks/bulk) and stamps each with its submit
// time and stage (metadata.t, metadata.s), which the agent swarm reads back from task_assign.
import { sharedClockMs } from './bullmq-settings.ts';
import type { HubHttp } from './hub-http.ts';
import { openLoop } from './load-loops.ts';
import { SampleRecorder, type LatencySummary } from './sample-stats.ts';
import { fixtureCapabilities, fixtureTask } from './task-fixture.ts';

export interface SubmitPlan {
  stage: string;
  count: number;
  /**
   * closed: `concurrency` callers, one request each at a time;
   * waves: `waveSize` requests started at once, the next wave when all are answered;
   * paced: `ratePerSec` requests started on schedule (open loop);
   * bulk: one POST /api/tasks/bulk of `waveSize` tasks at a time (the counterpart of BullMQ's addBulk).
   */
  shape: 'closed' | 'waves' | 'paced' | 'bulk';
  concurrency?: number;
  waveSize?: number;
  ratePerSec?: number;
  /** Task i needs capabilitySets[i % length]; default the fixture's one capability. */
  capabilitySets?: string[][];
  /** Stop a caller at its first failed request (the hub was killed) instead of throwing. */
  stopOnError?: boolean;
  /** Return the ids of the tasks the hub acknowledged (201). */
  returnIds?: boolean;
}

export interface SubmitOutcome {
  stage: string;
  accepted: number;
  failed: number;
  firstSubmitAt: number;
  lastReplyAt: number;
  /** Request start → 201 reply (for bulk: per request, not per task). */
  httpMs: LatencySummary;
  ids: string[];
  firstError: string | null;
}

export async function submitTasks(http: HubHttp, plan: SubmitPlan): Promise<SubmitOutcome> {
  const description = fixtureTask(0).description;
  const httpMs = new SampleRecorder();
  const ids: string[] = [];
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  let stopped = false;
  let firstSubmitAt = NaN;
  let lastReplyAt = NaN;
  let accepted = 0;

  const taskBody = (index: number, startedAt: number) => ({
    description, priority: 'normal', max_retries: 3,
    needed_capabilities: plan.capabilitySets ? plan.capabilitySets[index % plan.capabilitySets.length] : fixtureCapabilities,
    metadata: { repo: 'agentcom/main', bench_index: index, t: startedAt, s: plan.stage },
  });
  const failedWith = (error: unknown): false => {
    failed++;
    firstError ??= error instanceof Error ? error.message : String(error);
    if (!plan.stopOnError) throw error;
    stopped = true;
    return false;
  };

  const submitOne = async (index: number): Promise<boolean> => {
    const startedAt = sharedClockMs();
    if (Number.isNaN(firstSubmitAt)) firstSubmitAt = startedAt;
    try {
      const reply = await http.post('/api/tasks', taskBody(index, startedAt));
      if (reply.status !== 201) throw new Error(`POST /api/tasks answered ${reply.status} ${JSON.stringify(reply.body)}`);
      lastReplyAt = sharedClockMs();
      httpMs.record(lastReplyAt - startedAt);
      accepted++;
      if (plan.returnIds) ids.push(reply.body.task_id as string);
      return true;
    } catch (error) {
      return failedWith(error);
    }
  };

  /** One bulk request of tasks `from` … `from + size - 1`; every item must be created. */
  const submitBulk = async (from: number, size: number): Promise<boolean> => {
    const startedAt = sharedClockMs();
    if (Number.isNaN(firstSubmitAt)) firstSubmitAt = startedAt;
    try {
      const reply = await http.post('/api/tasks/bulk', { tasks: Array.from({ length: size }, (_, offset) => taskBody(from + offset, startedAt)) });
      const created = reply.body.created as number | undefined;
      if (reply.status >= 300 || created !== size) throw new Error(`POST /api/tasks/bulk answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
      lastReplyAt = sharedClockMs();
      httpMs.record(lastReplyAt - startedAt);
      accepted += size;
      if (plan.returnIds) for (const result of reply.body.results as Array<{ task_id?: string }>) if (result.task_id) ids.push(result.task_id);
      return true;
    } catch (error) {
      return failedWith(error);
    }
  };

  if (plan.shape === 'closed') {
    const caller = async () => {
      while (!stopped && next < plan.count) if (!(await submitOne(next++))) return;
    };
    await Promise.all(Array.from({ length: Math.min(plan.concurrency ?? 64, plan.count) }, caller));
  } else if (plan.shape === 'waves') {
    const waveSize = plan.waveSize ?? 1000;
    while (!stopped && next < plan.count) {
      const wave: Promise<boolean>[] = [];
      for (let i = 0; i < waveSize && next < plan.count; i++) wave.push(submitOne(next++));
      await Promise.all(wave);
    }
  } else if (plan.shape === 'bulk') {
    const batchSize = plan.waveSize ?? 1000;
    while (!stopped && next < plan.count) {
      const size = Math.min(batchSize, plan.count - next);
      await submitBulk(next, size);
      next += size;
    }
  } else {
    await openLoop(plan.ratePerSec ?? 100, plan.count, async (index) => void (await submitOne(index)));
  }
  return { stage: plan.stage, accepted, failed, firstSubmitAt, lastReplyAt, httpMs: httpMs.summary(), ids, firstError };
}
