import { expect } from 'chai';
import { coalesceEvents } from '../../../web/dashboard-coalesce.ts';
import type { HubEvent } from '../../../web/ports/dashboard-port.ts';

const task = (task_id: string, event: string): HubEvent => ({ type: 'task_event', timestamp: 1, task_id, event });
const agent = (agent_id: string, fsm_state: string): HubEvent => ({ type: 'status_changed', timestamp: 1, agent: { agent_id, fsm_state } });

describe('coalesceEvents', () => {
  it('keeps only the newest event of each task and each agent, in the order they last happened', () => {
    const batch = [
      task('t1', 'assigned'), agent('a1', 'assigned'), task('t2', 'submitted'),
      task('t1', 'accepted'), agent('a1', 'working'), task('t1', 'completed'), agent('a1', 'idle'),
    ];
    expect(coalesceEvents(batch)).to.deep.equal([task('t2', 'submitted'), task('t1', 'completed'), agent('a1', 'idle')]);
  });

  it('passes every other event through untouched', () => {
    const joined: HubEvent = { type: 'agent_joined', timestamp: 1, agent: { agent_id: 'a1' } };
    const metrics: HubEvent = { type: 'metrics_snapshot', timestamp: 2, sample: {} };
    const batch = [joined, metrics, { ...joined, timestamp: 3 }];
    expect(coalesceEvents(batch)).to.deep.equal(batch);
  });
});
