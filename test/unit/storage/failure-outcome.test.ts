import { expect } from 'chai';
import { failureOutcome } from '../../../storage/failure-outcome.ts';
import { createTaskRecord, type TaskRecord } from '../../../storage/task-record.ts';

function assignedTask(retryCount: number, maxRetries: number): TaskRecord {
  const queued = createTaskRecord('task-1', 1, {
    description: 'd', priority: 2, metadata: {}, neededCapabilities: [], maxRetries, completeBy: null, notBefore: null,
    idempotencyKey: null, submittedBy: null,
  }, 0);
  return { ...queued, status: 'assigned', assigned_to: 'a1', assigned_at: 1, accepted_at: 2, generation: 3, retry_count: retryCount };
}

describe('failureOutcome', () => {
  it('requeues a task with retries left: retry counted, generation moved on, assignee cleared', () => {
    const { task, outcome } = failureOutcome(assignedTask(1, 3), 'tests red', 10);
    expect(outcome).to.equal('retried');
    expect(task).to.include({ status: 'queued', retry_count: 2, generation: 4, assigned_to: null, accepted_at: null, last_error: 'tests red' });
    expect(task.history.slice(0, 2).map((h) => h.event)).to.deep.equal(['retry', 'failed']);
  });

  it('dead-letters a task on its last retry, keeping its assignment for the record', () => {
    const { task, outcome } = failureOutcome(assignedTask(2, 3), 'tests red', 10);
    expect(outcome).to.equal('dead_letter');
    expect(task).to.include({ status: 'dead_letter', retry_count: 2, generation: 3, last_error: 'tests red' });
  });

  it('dead-letters at once when no retries are allowed', () => {
    expect(failureOutcome(assignedTask(0, 0), 'x', 10).outcome).to.equal('dead_letter');
  });
});
