import { expect } from 'chai';
import { createActor } from 'xstate';
import { taskWaitingMachine, type DependencyFailurePolicy, type TaskWaitingEvent } from '../../../machines/task-waiting-machine.ts';

function run(remaining: number, policy: DependencyFailurePolicy, events: TaskWaitingEvent[]) {
  const actor = createActor(taskWaitingMachine, { input: { remaining, policy } }).start();
  for (const event of events) actor.send(event);
  const snapshot = actor.getSnapshot();
  actor.stop();
  return { state: snapshot.value, context: snapshot.context };
}

describe('taskWaitingMachine', () => {
  it('stays waiting until the last dependency completes, then is released', () => {
    expect(run(2, 'fail', [{ type: 'dependency.completed', taskId: 'a' }]).state).to.equal('waiting');
    expect(run(2, 'fail', [{ type: 'dependency.completed', taskId: 'a' }, { type: 'dependency.completed', taskId: 'b' }]).state).to.equal('released');
  });

  it('is released at once when nothing is left to wait for', () => {
    expect(run(0, 'fail', []).state).to.equal('released');
  });

  it('fails with its dependency under the fail policy, naming it', () => {
    const failed = run(2, 'fail', [{ type: 'dependency.failed', taskId: 'a' }]);
    expect(failed.state).to.equal('dependency_failed');
    expect(failed.context.failedDependency).to.equal('a');
    expect(run(2, 'fail', [{ type: 'dependency.cancelled', taskId: 'a', cascade: false }]).state).to.equal('dependency_failed');
  });

  it('counts a failed or cancelled dependency as done under the ignore policy', () => {
    expect(run(2, 'ignore', [{ type: 'dependency.failed', taskId: 'a' }, { type: 'dependency.cancelled', taskId: 'b', cascade: false }]).state).to.equal('released');
  });

  it('is cancelled by a cancel with cascade, whatever the policy', () => {
    expect(run(2, 'ignore', [{ type: 'dependency.cancelled', taskId: 'a', cascade: true }]).state).to.equal('cancelled');
  });

  it('ignores events once it has left waiting', () => {
    const after = run(1, 'fail', [{ type: 'dependency.completed', taskId: 'a' }, { type: 'dependency.failed', taskId: 'b' }]);
    expect(after.state).to.equal('released');
  });
});
