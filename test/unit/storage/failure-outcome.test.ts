import { expect } from 'chai';
import { failureOutcome } from '../../../storage/failure-outcome.ts';
import { createTaskRecord, type TaskRecord } from '../../../storage/task-record.ts';

function assignedTask(retryCount: number, maxRetries: number, backoff: { base: number; cap: number } = { base: 0, cap: 0 }): TaskRecord {
  const queued = createTaskRecord('task-1', 1, {
    description: 'd', priority: 2, metadata: {}, neededCapabilities: [], maxRetries, completeBy: null, notBefore: null,
    idempotencyKey: null, submittedBy: null, retryBackoffMs: backoff.base, retryBackoffMaxMs: backoff.cap,
  }, 0);
  return { ...queued, status: 'assigned', assigned_to: 'a1', assigned_at: 1, accepted_at: 2, generation: 3, retry_count: retryCount };
}

describe('failureOutcome', () => {
  it('counts max_retries as retries after the first attempt', () => {
    expect(failureOutcome(assignedTask(0, 0), 'x', 10).outcome).to.equal('dead_letter');
    expect(failureOutcome(assignedTask(0, 1), 'x', 10).outcome).to.equal('retried');
    expect(failureOutcome(assignedTask(1, 1), 'x', 10).outcome).to.equal('dead_letter');
    expect(failureOutcome(assignedTask(2, 3), 'x', 10).task).to.include({ retry_count: 3 });
  });

  it('requeues a task with retries left at once without a base pause: retry counted, generation moved on, assignee cleared', () => {
    const { task, outcome } = failureOutcome(assignedTask(1, 3), 'tests red', 10);
    expect(outcome).to.equal('retried');
    expect(task).to.include({ status: 'queued', retry_count: 2, generation: 4, assigned_to: null, accepted_at: null, last_error: 'tests red' });
    expect(task.history.slice(0, 2).map((h) => h.event)).to.deep.equal(['retry', 'failed']);
    expect(task.history[0].details).to.deep.equal({ retry_count: 2 });
  });

  it('parks a retry in the delayed lane for the jittered backoff of its retry number, recorded in its history', () => {
    // Retry 2 with base 1 s: between 1 s and 2 s; random() = 0.5 gives 1.5 s.
    const { task, outcome } = failureOutcome(assignedTask(1, 3, { base: 1_000, cap: 60_000 }), 'flaky', 10, () => 0.5);
    expect(outcome).to.equal('retried');
    expect(task).to.include({ status: 'delayed', retry_count: 2, not_before: 1_510, generation: 4, assigned_to: null });
    expect(task.history[0]).to.deep.include({ event: 'retry', details: { retry_count: 2, backoff_ms: 1_500, retry_at: 1_510 } });
  });

  it('caps the backoff', () => {
    const { task } = failureOutcome(assignedTask(9, 20, { base: 1_000, cap: 4_000 }), 'flaky', 0, () => 1);
    expect(task.not_before).to.equal(4_000);
  });

  it('dead-letters a task whose retries are used up, keeping its assignment for the record', () => {
    const { task, outcome } = failureOutcome(assignedTask(3, 3, { base: 1_000, cap: 60_000 }), 'tests red', 10);
    expect(outcome).to.equal('dead_letter');
    expect(task).to.include({ status: 'dead_letter', retry_count: 3, generation: 3, assigned_to: 'a1', last_error: 'tests red' });
  });
});
