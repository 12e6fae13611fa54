import { expect } from 'chai';
import { hubEventNames, type TypedHubEvent } from '../../../runtime/hub-events.ts';
import { toWireEvent } from '../../../runtime/wire-events.ts';
import { connect, startHubCore, type HubCore } from '../../support/hub-core.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** The events of one task, in order, as `type` (plus the reclaim reason). */
const ofTask = (events: TypedHubEvent[], taskId: string) =>
  events.filter((event) => 'task' in event && event.task.id === taskId)
    .map((event) => (event.type === 'task.reclaimed' ? `${event.type}:${event.reason}` : event.type));

describe('hub events', () => {
  let core: HubCore;
  let events: TypedHubEvent[];
  afterEach(async () => core?.stop());
  beforeEach(() => {
    core = startHubCore({ rejectRestMs: 1 });
    events = [];
    core.hub.events.subscribe((event) => events.push(event));
  });

  it('emits exactly one event per lifecycle point of a task that is completed', async () => {
    const link = connect(core.hub, 'a1');
    const submitted = await core.hub.tasks.submitTask({ description: 'one' }, null);
    const assign = await link.next('task_assign');
    const report = { agentId: 'a1', taskId: assign.task_id as string, generation: assign.generation as number };
    await core.hub.reports.taskAccepted(report);
    await core.hub.reports.taskCompleted(report, { ok: true }, null);
    expect(submitted.ok && ofTask(events, submitted.value.task.id)).to.deep.equal(['task.submitted', 'task.assigned', 'task.accepted', 'task.completed']);
  });

  it('emits retried, dead_lettered, requeued, reclaimed and cancelled once each', async () => {
    const link = connect(core.hub, 'a1');
    const submitted = await core.hub.tasks.submitTask({ description: 'fails', max_retries: 1, retry_backoff_ms: 0 }, null);
    if (!submitted.ok) throw new Error(submitted.detail);
    const taskId = submitted.value.task.id;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const assign = await link.next('task_assign');
      await core.hub.reports.taskFailed({ agentId: 'a1', taskId, generation: assign.generation as number }, 'boom');
    }
    await core.hub.tasks.retryDeadLetter(taskId);
    const again = await link.next('task_assign');
    await core.hub.reports.taskRejected({ agentId: 'a1', taskId, generation: again.generation as number }, 'busy');
    await settle();
    await core.hub.tasks.cancelTask(taskId);
    expect(ofTask(events, taskId)).to.deep.equal([
      'task.submitted', 'task.assigned', 'task.retried', 'task.assigned', 'task.dead_lettered', 'task.requeued',
      'task.assigned', 'task.reclaimed:rejected', ...ofTask(events, taskId).slice(8, -1), 'task.cancelled',
    ]);
    // After the rejection the task may be offered again before the cancel; nothing else is allowed in between.
    for (const type of ofTask(events, taskId).slice(8, -1)) expect(type).to.equal('task.assigned');
  });

  it('emits delayed, then queued when the time comes', async () => {
    const submitted = await core.hub.tasks.submitTask({ description: 'later', not_before: Date.now() + 50 } as never, null);
    if (!submitted.ok) throw new Error(submitted.detail);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(ofTask(events, submitted.value.task.id)).to.deep.equal(['task.delayed', 'task.queued']);
  });

  it('emits agent joined, state changes and left, and maps each to the reference wire frame', async () => {
    const link = connect(core.hub, 'a1');
    core.hub.sessions.setAgentStatus('a1', 'thinking');
    core.hub.sessions.agentDisconnected('a1', link);
    await settle();
    expect(events.map((event) => event.type)).to.deep.equal(
      ['agent.state_changed', 'agent.joined', 'agent.status_changed', 'agent.state_changed', 'agent.left']);
    expect(events.map((event) => toWireEvent(event)?.type)).to.deep.equal(
      ['status_changed', 'agent_joined', 'status_changed', 'status_changed', 'agent_left']);
    const left = events.find((event) => event.type === 'agent.left');
    expect(left && toWireEvent(left)).to.deep.include({ type: 'agent_left', agent_id: 'a1' });
  });

  it('lists every event name once, dotted', () => {
    expect(new Set(hubEventNames).size).to.equal(hubEventNames.length);
    for (const name of hubEventNames) expect(name).to.match(/^[a-z]+\.[a-z_]+$/);
  });
});
