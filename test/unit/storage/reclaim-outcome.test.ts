import { expect } from 'chai';
import { reclaimOutcome } from '../../../storage/reclaim-outcome.ts';
import { createTaskRecord, type TaskRecord } from '../../../storage/task-record.ts';

const queued = createTaskRecord('task-1', 1, {
  description: 'd', priority: 2, metadata: {}, neededCapabilities: [], maxRetries: 3, completeBy: null, notBefore: null,
  idempotencyKey: null, submittedBy: null,
}, 0);
const assigned: TaskRecord = { ...queued, status: 'assigned', assigned_to: 'a1', assigned_at: 1, accepted_at: 2, generation: 3 };

const codeOf = (result: ReturnType<typeof reclaimOutcome>) => (result.ok ? 'ok' : result.code);

describe('reclaimOutcome', () => {
  it('puts the task back in its lane with the next generation and no assignee', () => {
    const result = reclaimOutcome('task-1', assigned, 'stuck', 10, { generation: 3, agentId: 'a1' });
    expect(result.ok && result.value).to.include({ status: 'queued', generation: 4, assigned_to: null, assigned_at: null, accepted_at: null });
    expect(result.ok && result.value.history[0]).to.deep.include({ event: 'reclaimed', details: { reason: 'stuck', agent_id: 'a1' } });
  });

  it('refuses an unknown task, a task that is not assigned, a newer assignment and another holder', () => {
    expect(codeOf(reclaimOutcome('task-9', undefined, 'stuck', 10))).to.equal('AC_ERR_TASK_NOT_FOUND');
    expect(codeOf(reclaimOutcome('task-1', queued, 'stuck', 10))).to.equal('AC_ERR_INVALID_STATE');
    expect(codeOf(reclaimOutcome('task-1', assigned, 'stuck', 10, { generation: 2 }))).to.equal('AC_ERR_STALE_GENERATION');
    expect(codeOf(reclaimOutcome('task-1', assigned, 'rejected', 10, { agentId: 'a2' }))).to.equal('AC_ERR_NOT_ASSIGNEE');
  });

  it('reclaims whatever the assignment when no fence is given', () => {
    expect(codeOf(reclaimOutcome('task-1', assigned, 'agent_removed', 10))).to.equal('ok');
  });
});
