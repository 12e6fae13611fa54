import { expect } from 'chai';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import type { AlertChange } from '../../../machines/alert-evaluation.ts';
import { defaultAlertThresholds, mergeThresholds, type AlertFacts } from '../../../machines/alert-rules.ts';
import { alerterMachine } from '../../../machines/alerter-machine.ts';

const calm: AlertFacts = {
  queueDepth: 0, windowTotalTasks: 0, windowFailed: 0, failureRatePct: 0, stuckTaskIds: [], totalAgents: 2, agentsOnline: 2,
  storageProblems: [], supervisorRestarts: 0, overdueApprovals: { questionIds: [], taskIds: [], oldestWaitMs: 0, afterMs: 900_000 },
};

/** An alerter on a simulated clock; `facts` is what the next check sees. */
function startAlerter(thresholds = defaultAlertThresholds) {
  const clock = new SimulatedClock();
  const world = { facts: { ...calm }, thresholds, changes: [] as AlertChange[] };
  const actor = createActor(alerterMachine.provide({
    actors: { gatherCheck: fromPromise(async () => ({ facts: world.facts, thresholds: world.thresholds, now: clock.now() })) },
    actions: { announce: (_, params) => world.changes.push(...params.changes) },
  }), { clock, input: { firstCheckMs: 30_000 } }).start();
  const advance = async (ms: number) => {
    clock.increment(ms);
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  const kinds = () => world.changes.map((change) => (change.kind === 'fired' ? `fired:${change.alert.rule_id}` : `${change.kind}:${change.ruleId}`));
  return { actor, world, advance, kinds };
}

describe('alerterMachine', () => {
  it('checks first after 30 s, then every check_interval_ms', async () => {
    const { actor, advance } = startAlerter(mergeThresholds({ check_interval_ms: 10_000 }));
    await advance(29_999);
    expect(actor.getSnapshot().context.checks).to.equal(0);
    await advance(1);
    expect(actor.getSnapshot().context.checks).to.equal(1);
    await advance(10_000);
    await advance(10_000);
    expect(actor.getSnapshot().context.checks).to.equal(3);
  });

  it('re-fires a critical alert on every check and clears it when the condition ends', async () => {
    const { world, advance, kinds } = startAlerter();
    world.facts = { ...calm, agentsOnline: 0 };
    await advance(30_000);
    await advance(30_000);
    world.facts = { ...calm };
    await advance(30_000);
    expect(kinds()).to.deep.equal(['fired:no_agents_online', 'fired:no_agents_online', 'cleared:no_agents_online']);
  });

  it('keeps an acknowledged alert quiet until it clears, then fires it again', async () => {
    const { actor, world, advance, kinds } = startAlerter();
    world.facts = { ...calm, stuckTaskIds: ['task-1'] };
    await advance(30_000);
    actor.send({ type: 'alerter.acknowledge', ruleId: 'stuck_tasks' });
    await advance(30_000);
    await advance(30_000);
    world.facts = { ...calm };
    await advance(30_000);
    world.facts = { ...calm, stuckTaskIds: ['task-2'] };
    await advance(30_000);
    expect(kinds()).to.deep.equal(['fired:stuck_tasks', 'acknowledged:stuck_tasks', 'cleared:stuck_tasks', 'fired:stuck_tasks']);
  });

  it('ignores an acknowledgement for a rule with no active alert', () => {
    const { actor, kinds } = startAlerter();
    actor.send({ type: 'alerter.acknowledge', ruleId: 'queue_growing' });
    expect(kinds()).to.deep.equal([]);
  });

  it('re-fires a warning only after its cooldown', async () => {
    const { world, advance, kinds } = startAlerter(mergeThresholds({ cooldowns: { high_failure_rate: 90_000 } }));
    world.facts = { ...calm, windowTotalTasks: 10, windowFailed: 6, failureRatePct: 60 };
    await advance(30_000); // fires at 30 s
    await advance(30_000); // 60 s: cooling down
    await advance(30_000); // 90 s: cooling down
    await advance(30_000); // 120 s: 90 s since it fired
    expect(kinds()).to.deep.equal(['fired:high_failure_rate', 'fired:high_failure_rate']);
  });

  it('fires queue_growing after N rising checks and clears it after 3 stable ones', async () => {
    const { world, advance, kinds } = startAlerter();
    for (const depth of [1, 2, 3, 4]) {
      world.facts = { ...calm, queueDepth: depth };
      await advance(30_000);
    }
    expect(kinds()).to.deep.equal(['fired:queue_growing']);
    for (let i = 0; i < 2; i += 1) await advance(30_000);
    expect(kinds()).to.deep.equal(['fired:queue_growing']);
    await advance(30_000);
    expect(kinds()).to.deep.equal(['fired:queue_growing', 'cleared:queue_growing']);
  });

  it('fires high_error_rate, storage_unhealthy and supervisor_restarts on their conditions', async () => {
    const { world, advance, kinds } = startAlerter();
    await advance(30_000);
    world.facts = { ...calm, windowFailed: 11, windowTotalTasks: 100, failureRatePct: 11, storageProblems: ['disk 1.0% free'], supervisorRestarts: 2 };
    await advance(30_000);
    expect(kinds()).to.have.members(['fired:high_error_rate', 'fired:storage_unhealthy', 'fired:supervisor_restarts']);
  });

  it('fires approval_waiting while a question or gated task is overdue, and clears it once answered', async () => {
    const { world, advance, kinds } = startAlerter();
    world.facts = { ...calm, overdueApprovals: { questionIds: ['appr-1'], taskIds: ['task-9'], oldestWaitMs: 1_000_000, afterMs: 900_000 } };
    await advance(30_000);
    const fired = world.changes[0];
    expect(fired?.kind === 'fired' && fired.alert).to.deep.include({ rule_id: 'approval_waiting', severity: 'warning' });
    expect(fired?.kind === 'fired' && fired.alert.details).to.include({ questions: 1, tasks: 1, oldest_wait_ms: 1_000_000 });
    world.facts = { ...calm };
    await advance(30_000);
    expect(kinds()).to.deep.equal(['fired:approval_waiting', 'cleared:approval_waiting']);
  });

  it('takes new thresholds on the next check', async () => {
    const { world, advance, kinds } = startAlerter();
    world.facts = { ...calm, windowTotalTasks: 10, windowFailed: 3, failureRatePct: 30 };
    await advance(30_000);
    expect(kinds()).to.deep.equal([]);
    world.thresholds = mergeThresholds({ failure_rate_pct: 20 });
    await advance(30_000);
    expect(kinds()).to.deep.equal(['fired:high_failure_rate']);
  });
});
