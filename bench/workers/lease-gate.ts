// Worker: the scheduler's decisions in process, on the real LMDB queue, with and without path
// leases. Fills a store with `count` queued tasks (with or without `paths`), then drains it in
// rounds: `agents` claims at once (one batch, as the hub makes them), then each assigned task
// completes (its lease ends). Reports CPU per assignment over the drain: claim, gate, commit,
// completion, so the difference between the two runs is what the leases cost.
import { performance } from 'node:perf_hooks';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { serveChild } from '../lib/child-process.ts';
import { randomPathSets } from '../lib/random-paths.ts';
import { fixtureTask } from '../lib/task-fixture.ts';
import { makeTempDir } from '../lib/temp-dir.ts';

export interface LeaseGateInput {
  count: number;
  agents: number;
  /** none: no paths; disjoint: each task leases globs no other task overlaps (checks, never waits); random: randomPathSets. */
  paths: 'none' | 'disjoint' | 'random';
  seed: number;
}

export interface LeaseGateOutput {
  assigned: number;
  rounds: number;
  cpuMsPerAssignment: number;
  wallMsPerAssignment: number;
  /** Claims that came back empty while tasks were still queued: every candidate was held back by a lease. */
  emptyClaims: number;
}

serveChild<LeaseGateInput, LeaseGateOutput>(async (input) => {
  const dir = makeTempDir('lease-gate');
  const queue = LmdbTaskQueue.open(dir.path);
  try {
    const sets = randomPathSets(input.count, input.seed);
    for (let start = 0; start < input.count; start += 1000) {
      const items = Array.from({ length: Math.min(1000, input.count - start) }, (_, i) => {
        const task = fixtureTask(start + i);
        if (input.paths === 'random') task.paths = sets[start + i];
        // The same number of globs, each in a folder of its own: the gate checks them all and never finds an overlap.
        if (input.paths === 'disjoint') task.paths = sets[start + i].map((glob) => `t${start + i}/${glob}`);
        return { input: task, dependsOnItems: [] };
      });
      const written = await queue.submitBulk(items, false, Date.now());
      if (!written.ok) throw new Error(written.detail);
    }
    let assigned = 0;
    let rounds = 0;
    let emptyClaims = 0;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    while (assigned < input.count) {
      rounds += 1;
      const claims = await Promise.all(Array.from({ length: input.agents }, (_, i) => queue.claimNext(`agent-${i}`, ['typescript', 'git'], Date.now())));
      const tasks = claims.flatMap((claim) => (claim.ok && claim.value ? [claim.value] : []));
      emptyClaims += claims.length - tasks.length;
      if (tasks.length === 0) throw new Error(`no task could be claimed with ${input.count - assigned} left`);
      assigned += tasks.length;
      await Promise.all(tasks.map((task) => queue.complete({ taskId: task.id, agentId: task.assigned_to, generation: task.generation }, {}, 1, Date.now())));
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    return {
      assigned, rounds, emptyClaims,
      cpuMsPerAssignment: (cpu.user + cpu.system) / 1000 / assigned,
      wallMsPerAssignment: wallMs / assigned,
    };
  } finally {
    await queue.close();
    dir.remove();
  }
});
