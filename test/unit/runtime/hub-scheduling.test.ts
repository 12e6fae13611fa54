import { expect } from 'chai';
import { connect, startHubCore, type HubCore } from '../../support/hub-core.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('hub scheduling', () => {
  let core: HubCore;
  afterEach(async () => core?.stop());

  it('gives each agent only tasks it can do, highest lane first then oldest first', async () => {
    core = startHubCore();
    const { hub } = core;
    const submit = async (description: string, priority: string, needed: string[]) => {
      const submitted = await hub.tasks.submitTask({ description, priority, needed_capabilities: needed }, null);
      if (!submitted.ok) throw new Error(submitted.detail);
      return submitted.value.task.id;
    };
    await submit('py low', 'low', ['python']);
    await submit('any normal', 'normal', []);
    await submit('rust urgent', 'urgent', ['rust']);
    await submit('py high', 'high', ['python']);
    await submit('py normal', 'normal', ['python']);

    const py = connect(hub, 'py-agent', ['python']);
    const rust = connect(hub, 'rust-agent', ['rust']);
    const received: Record<string, string[]> = { 'py-agent': [], 'rust-agent': [] };
    const work = async (agentId: string, link: typeof py) => {
      for (;;) {
        const assign = await link.next('task_assign', 300).catch(() => null);
        if (!assign) return;
        received[agentId].push(assign.description as string);
        const report = { agentId, taskId: assign.task_id as string, generation: assign.generation as number };
        expect((await hub.reports.taskAccepted(report)).ok).to.equal(true);
        expect((await hub.reports.taskCompleted(report, { ok: true }, null)).ok).to.equal(true);
      }
    };
    await Promise.all([work('py-agent', py), work('rust-agent', rust)]);

    expect(received['rust-agent'][0]).to.equal('rust urgent');
    expect(received['rust-agent']).to.not.include.members(['py low', 'py high', 'py normal']);
    const pyOrder = received['py-agent'].filter((d) => d.startsWith('py'));
    expect(pyOrder).to.deep.equal(['py high', 'py normal', 'py low']);
    expect([...received['py-agent'], ...received['rust-agent']].sort()).to.deep.equal(
      ['any normal', 'py high', 'py low', 'py normal', 'rust urgent'],
    );
    expect(core.queue.stats().byStatus.completed).to.equal(5);
    // Each task actor ended in its final state and its supervisor let go of it.
    await settle();
    expect(core.queue.list({ status: 'completed' }).tasks.filter((task) => core.root.system.get(`task:${task.id}`))).to.deep.equal([]);
  });

  it('assigns a submitted task at once to an idle capable agent', async () => {
    core = startHubCore();
    const link = connect(core.hub, 'a1', ['go']);
    const submitted = await core.hub.tasks.submitTask({ description: 'build', needed_capabilities: ['go'] }, null);
    const assign = await link.next('task_assign', 500);
    expect(submitted.ok && assign.task_id).to.equal(submitted.ok && submitted.value.task.id);
    expect(core.hub.sessions.agentState('a1')?.fsm_state).to.equal('assigned');
  });

  it('writes a submitted task already assigned when an idle agent fits, but never ahead of earlier work', async () => {
    core = startHubCore();
    const link = connect(core.hub, 'a1', ['go']);
    const first = await core.hub.tasks.submitTask({ description: 'first', needed_capabilities: ['go'] }, null);
    // Assigned in the submit's own commit: the reply already says so, and storage holds it so.
    expect(first.ok && first.value.task).to.include({ status: 'assigned', assigned_to: 'a1', generation: 1 });
    const assign = await link.next('task_assign', 500);
    expect(first.ok && assign.task_id).to.equal(first.ok && first.value.task.id);
    // a1 is busy now: the next two queue; when a1 is free it takes the older one, not a newer submit.
    const second = await core.hub.tasks.submitTask({ description: 'second', needed_capabilities: ['go'] }, null);
    expect(second.ok && second.value.task.status).to.equal('queued');
    const report = { agentId: 'a1', taskId: assign.task_id as string, generation: assign.generation as number };
    expect((await core.hub.reports.taskCompleted(report, null, null)).ok).to.equal(true);
    const next = await link.next('task_assign', 500);
    expect(second.ok && next.task_id).to.equal(second.ok && second.value.task.id);
  });

  it('reclaims an unaccepted task after the acceptance timeout and flags the agent', async () => {
    core = startHubCore({ acceptanceTimeoutMs: 100 });
    const slow = connect(core.hub, 'slow');
    await core.hub.tasks.submitTask({ description: 'quick one' }, null);
    const assign = await slow.next('task_assign');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const task = core.hub.tasks.getTask(assign.task_id as string)!;
    expect(task.history.map((h) => h.event)).to.include('reclaimed');
    expect(core.hub.sessions.agentState('slow')?.flags).to.include('unresponsive');
  });

  it('reclaims the task of an agent whose socket closes and gives it to another agent', async () => {
    core = startHubCore();
    const first = connect(core.hub, 'first');
    await core.hub.tasks.submitTask({ description: 'survive a drop' }, null);
    const assign = await first.next('task_assign');
    const taskId = assign.task_id as string;
    await core.hub.reports.taskAccepted({ agentId: 'first', taskId });
    core.hub.sessions.agentDisconnected('first', first);
    const second = connect(core.hub, 'second');
    const reassigned = await second.next('task_assign');
    expect(reassigned.task_id).to.equal(taskId);
    // Reclaim and reassignment each move the generation on (reference §3).
    expect(reassigned.generation).to.be.greaterThan(assign.generation as number);

    const late = await core.hub.reports.taskCompleted({ agentId: 'first', taskId, generation: assign.generation as number }, {}, null);
    expect(late.ok).to.equal(false);
    expect(!late.ok && late.code).to.equal('AC_ERR_STALE_GENERATION');
    const done = await core.hub.reports.taskCompleted({ agentId: 'second', taskId, generation: reassigned.generation as number }, {}, null);
    expect(done.ok).to.equal(true);
    expect(core.hub.tasks.getTask(taskId)?.status).to.equal('completed');
  });

  it('reclaims at once when the agent rejects the assignment and offers the task to another agent', async () => {
    core = startHubCore();
    const busy = connect(core.hub, 'busy');
    await core.hub.tasks.submitTask({ description: 'pick me' }, null);
    const assign = await busy.next('task_assign');
    const other = connect(core.hub, 'other');
    const rejected = await core.hub.reports.taskRejected({ agentId: 'busy', taskId: assign.task_id as string, generation: assign.generation as number }, 'busy');
    expect(rejected.ok).to.equal(true);
    const moved = await other.next('task_assign');
    expect(moved.task_id).to.equal(assign.task_id);
  });

  it('answers task_recovering with continue only for the agent that holds the task', async () => {
    core = startHubCore();
    const holder = connect(core.hub, 'holder');
    await core.hub.tasks.submitTask({ description: 'recover me' }, null);
    const assign = await holder.next('task_assign');
    const taskId = assign.task_id as string;
    expect(await core.hub.reports.taskRecovering('someone-else', taskId)).to.deep.equal({ type: 'task_reassign', task_id: taskId });
    expect(await core.hub.reports.taskRecovering('holder', taskId)).to.deep.equal({ type: 'task_continue', task_id: taskId, generation: assign.generation });
    await settle();
    expect(core.hub.sessions.agentState('holder')?.fsm_state).to.equal('working');
  });

  it('acknowledges task_accepted from the assignment\'s commit, and records accepted_at with the next write', async () => {
    core = startHubCore();
    const holder = connect(core.hub, 'holder');
    await core.hub.tasks.submitTask({ description: 'accept me' }, null);
    const assign = await holder.next('task_assign');
    const report = { agentId: 'holder', taskId: assign.task_id as string, generation: assign.generation as number };
    // Fenced like the store fences: another agent, or an older assignment, is refused and changes nothing.
    const stranger = await core.hub.reports.taskAccepted({ ...report, agentId: 'stranger' });
    expect(!stranger.ok && stranger.code).to.equal('AC_ERR_NOT_ASSIGNEE');
    const stale = await core.hub.reports.taskAccepted({ ...report, generation: report.generation - 1 });
    expect(!stale.ok && stale.code).to.equal('AC_ERR_STALE_GENERATION');
    const accepted = await core.hub.reports.taskAccepted(report);
    expect(accepted.ok).to.equal(true);
    expect(core.hub.sessions.agentState('holder')?.fsm_state).to.equal('working');
    // The accept's write joins the next batch; once a later change is durable, so is the mark.
    expect((await core.hub.reports.taskCompleted(report, { ok: true }, null)).ok).to.equal(true);
    const stored = core.queue.get(report.taskId)!;
    expect(stored.accepted_at).to.be.a('number');
    expect(stored.history.map((entry) => entry.event)).to.include('accepted');
  });

  it('answers task_continue only once the recovery counted as accept is durable', async () => {
    core = startHubCore();
    const holder = connect(core.hub, 'holder');
    await core.hub.tasks.submitTask({ description: 'recover me durably' }, null);
    const taskId = (await holder.next('task_assign')).task_id as string;
    const answer = await core.hub.reports.taskRecovering('holder', taskId);
    expect(answer.type).to.equal('task_continue');
    // Read straight from LMDB at the moment the answer exists: a kill -9 now must not lose the accept.
    expect(core.queue.get(taskId)?.accepted_at).to.be.a('number');
  });

  it('answers task_reassign when the task was taken back before the recovery could count as accept', async () => {
    core = startHubCore();
    const holder = connect(core.hub, 'holder');
    await core.hub.tasks.submitTask({ description: 'reclaimed meanwhile' }, null);
    const assign = await holder.next('task_assign');
    const taskId = assign.task_id as string;
    // The reclaim is queued ahead of the accept: the task still reads as assigned when the recovery arrives.
    const reclaimed = core.queue.reclaim(taskId, 'stuck', Date.now(), assign.generation as number);
    const recovering = core.hub.reports.taskRecovering('holder', taskId);
    expect((await reclaimed).ok).to.equal(true);
    expect(await recovering).to.deep.equal({ type: 'task_reassign', task_id: taskId });
  });

  it('routes pushes to the newest socket of an agent and ignores the old socket closing', async () => {
    core = startHubCore();
    const old = connect(core.hub, 'twin');
    const fresh = connect(core.hub, 'twin');
    expect(old.closed?.code).to.equal(4000);
    core.hub.sessions.agentDisconnected('twin', old);
    expect(core.hub.sessions.agentState('twin')?.fsm_state).to.equal('idle');
    await core.hub.tasks.submitTask({ description: 'to the new socket' }, null);
    await fresh.next('task_assign');
    expect(old.sent.filter((m) => m.type === 'task_assign')).to.have.length(0);
  });

  it('keeps other agents and the queue intact when one agent actor crashes', async () => {
    core = startHubCore();
    const a = connect(core.hub, 'crashy');
    const b = connect(core.hub, 'steady');
    await core.hub.tasks.submitTask({ description: 'for b' }, null);
    const bTask = await Promise.race([a.next('task_assign'), b.next('task_assign')]);
    const holder = b.sent.includes(bTask) ? 'steady' : 'crashy';
    const bystander = holder === 'steady' ? 'crashy' : 'steady';
    const crashed = core.root.system.get(`agent:${bystander}`)!;
    // An event whose payload throws inside the machine's action stands in for a bug.
    crashed.send({ type: 'task.assigned', generation: 1, get taskId(): string { throw new Error('boom'); } } as never);
    await settle();
    const replacement = core.root.system.get(`agent:${bystander}`);
    expect(replacement, 'the crashed agent actor is replaced').to.not.equal(undefined);
    expect(replacement).to.not.equal(crashed);
    expect(core.hub.sessions.agentState(bystander)?.fsm_state).to.equal('idle');
    expect(core.hub.sessions.agentState(holder)?.fsm_state).to.equal('assigned');
    expect(core.queue.stats().byStatus.assigned).to.equal(1);
  });
});

describe('hub restart recovery', () => {
  let core: HubCore;
  afterEach(async () => core?.stop());

  it('reclaims, after the grace period, a task whose agent did not come back after a restart', async () => {
    core = startHubCore({ acceptanceTimeoutMs: 400 });
    const link = connect(core.hub, 'gone');
    await core.hub.tasks.submitTask({ description: 'orphaned by a restart' }, null);
    const assign = await link.next('task_assign');
    // What a restart leaves behind: the task assigned in storage, the agent without a socket,
    // and no disconnect event (the socket died with the old process).
    core.hub.agents.setLink(core.hub.agents.get('gone')!, null);
    core.hub.sweeper.run(60_000);
    expect(core.hub.tasks.getTask(assign.task_id as string)?.status, 'within the grace period').to.equal('assigned');
    await new Promise((resolve) => setTimeout(resolve, 450));
    core.hub.sweeper.run(60_000);
    await settle();
    expect(core.hub.tasks.getTask(assign.task_id as string)?.status).to.equal('queued');
  });
});

describe('task deadlines', () => {
  let core: HubCore;
  afterEach(async () => core?.stop());

  it('does not reclaim at once a task whose deadline is further off than a timer can wait', async () => {
    core = startHubCore();
    const link = connect(core.hub, 'patient');
    const thirtyDaysMs = 30 * 24 * 3600 * 1000;
    await core.hub.tasks.submitTask({ description: 'due next month', complete_by: Date.now() + thirtyDaysMs }, null);
    const assign = await link.next('task_assign');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const task = core.hub.tasks.getTask(assign.task_id as string)!;
    expect(task.history.map((entry) => entry.event)).to.not.include('reclaimed');
    expect(task.generation).to.equal(assign.generation);
  });

  it('reclaims an assigned task past its deadline', async () => {
    core = startHubCore();
    const link = connect(core.hub, 'late');
    await core.hub.tasks.submitTask({ description: 'due soon', complete_by: Date.now() + 100 }, null);
    const assign = await link.next('task_assign');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const task = core.hub.tasks.getTask(assign.task_id as string)!;
    expect(task.history.find((entry) => entry.event === 'reclaimed')?.details).to.include({ reason: 'overdue' });
  });
});
