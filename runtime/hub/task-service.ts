// The task service: submit (one or in bulk), list and inspect, cancel, dead letters,
// lanes, admin push; and what the queue tells the hub of tasks that moved on their own
// (dependents settled, lease waiters freed, another hub's changes).
//
// Persist, then tell the machines, then tell the world: every write below is durable
// before an actor hears of it or an event goes out.
import type { LeaseWaiterFreed, TaskPage } from '../../storage/queue-engine.ts';
import { toWireTask, type TaskRecord } from '../../storage/task-record.ts';
import type { LeaseWait } from '../../storage/path-lease-table.ts';
import type { StoragePort } from '../../web/storage-port.ts';
import type { Task } from '../../storage/domain/task.ts';
import type { TaskSubmit } from '../../web/protocol/task.ts';
import type { BulkOutcome, TaskLinks, TaskListPage, TaskListQuery, TaskPort, TaskStatsView } from '../../web/ports/task-port.ts';
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import { newTaskFrom } from '../task-intake.ts';
import { planBulk, type BulkItemInput } from '../bulk-intake.ts';
import type { RetentionSweeper } from '../retention-sweeper.ts';
import { UnreadableRecords } from '../unreadable-records.ts';
import type { HubContext } from './hub-context.ts';

export interface TaskServiceDeps {
  /** Storage operations, told of damaged records a listing skipped; null in hubs built without them. */
  storage: StoragePort | null;
  /** Retention, for its counts in the stats; null when finished tasks are kept forever. */
  retention: RetentionSweeper | null;
}

export class TaskService implements TaskPort {
  private readonly unreadableRecords: UnreadableRecords;

  constructor(private readonly ctx: HubContext, private readonly deps: TaskServiceDeps) {
    this.unreadableRecords = new UnreadableRecords(ctx.log);
  }

  async submitTask(body: TaskSubmit, submittedBy: string | null): Promise<Result<{ task: Task; created: boolean }>> {
    const { queue, scheduler, dispatch, events } = this.ctx;
    const now = this.ctx.now();
    const input = newTaskFrom(body, submittedBy, now);
    // An idle agent that fits may get the task in the submit's own write: one sync from submit to task_assign.
    const taker = scheduler.reserveFor(input.neededCapabilities);
    const submitted = await queue.submit(input, now, taker ? { agentId: taker.agentId, capabilities: taker.identity.capabilities } : undefined);
    const written = submitted.ok && submitted.value.created ? submitted.value.task : null;
    if (written) events.emit(entryEventOf(written), now, { task: written });
    if (taker) scheduler.release(taker, written);
    if (!submitted.ok) return submitted;
    if (written?.status === 'queued') scheduler.taskAvailable(written);
    else if (written?.status === 'delayed') dispatch.armDelayTimer();
    return ok({ task: toWireTask(submitted.value.task), created: submitted.value.created });
  }

  async submitBulk(inputs: readonly BulkItemInput[], submittedBy: string | null): Promise<Result<BulkOutcome>> {
    const now = this.ctx.now();
    const plan = planBulk(inputs, submittedBy, now);
    if (!plan.ok) return ok({ accepted: false, outcomes: plan.failures.map((failure) => failure!) });
    const submitted = await this.ctx.queue.submitBulk(plan.items, plan.atomic, now);
    if (!submitted.ok) return submitted;
    const outcomes = new Array<Result<{ task: Task; created: boolean }>>(inputs.length);
    inputs.forEach((input, index) => { if (!input.ok) outcomes[index] = input; });
    let armDelay = false;
    submitted.value.forEach((outcome, at) => {
      const index = plan.originalIndex[at]!;
      if (!outcome.ok) {
        outcomes[index] = outcome;
        return;
      }
      const { task, created } = outcome.value;
      if (created) {
        this.ctx.events.emit(entryEventOf(task), now, { task });
        if (task.status === 'queued') this.ctx.scheduler.taskAvailable(task);
        else if (task.status === 'delayed') armDelay = true;
      }
      outcomes[index] = ok({ task: toWireTask(task), created });
    });
    if (armDelay) this.ctx.dispatch.armDelayTimer();
    this.ctx.log.info('tasks submitted in bulk', { count: inputs.length, atomic: plan.atomic });
    const accepted = !plan.atomic || outcomes.every((outcome) => outcome.ok);
    return ok({ accepted, outcomes });
  }

  taskLinks(taskId: string): TaskLinks {
    const queue = this.ctx.queue;
    const task = queue.get(taskId);
    const link = (id: string) => ({ task_id: id, status: queue.get(id)?.status ?? 'purged' });
    return {
      dependencies: (task?.depends_on ?? []).map(link),
      dependents: queue.dependentsOf(taskId).map((dependent) => ({ task_id: dependent.id, status: dependent.status })),
      waiting_for: queue.remainingDependencies(taskId),
      leases: queue.leasesOf(taskId),
      waiting_for_lease: leaseWaitView(queue.leaseWaitOf(taskId)),
    };
  }

  listWaitingOn(taskId: string): TaskListPage {
    const tasks = this.ctx.queue.waitingOn(taskId).map(toWireTask);
    return { tasks, count: tasks.length, next_cursor: null };
  }

  getTask(taskId: string): Task | undefined {
    const task = this.ctx.queue.get(taskId);
    return task && toWireTask(task);
  }

  listTasks(query: TaskListQuery): TaskListPage {
    return this.pageOf(this.ctx.queue.list(query));
  }

  /** A page as the wire has it; damaged records the page skipped are logged once and counted. */
  private pageOf(page: TaskPage): TaskListPage {
    const skipped = this.unreadableRecords.note(page.unreadable);
    if (page.unreadable) this.deps.storage?.damagedRecordsFound(page.unreadable);
    return {
      tasks: page.tasks.map(toWireTask), count: page.tasks.length, next_cursor: page.nextCursor,
      ...(skipped > 0 ? { skipped_unreadable: skipped } : {}),
    };
  }

  taskStats(): TaskStatsView {
    const stats = this.ctx.queue.stats();
    const queued = Object.values(stats.queuedByPriority).reduce((sum, n) => sum + n, 0);
    const unreadable = this.unreadableRecords.count();
    const retention = this.deps.retention;
    return {
      by_status: stats.byStatus, by_priority: stats.queuedByPriority, dead_letter: stats.byStatus.dead_letter, queued_index_size: queued,
      ...(unreadable > 0 ? { unreadable_records: unreadable } : {}),
      ...(retention ? { retention: retention.stats() } : {}),
    };
  }

  async cancelTask(taskId: string, cascade = false): Promise<Result<Task>> {
    const cancelled = await this.ctx.queue.cancel(taskId, this.ctx.now(), cascade);
    if (!cancelled.ok) return cancelled;
    const task = cancelled.value;
    const holder = this.stopCancelled(task);
    this.ctx.events.emit('task.cancelled', this.ctx.now(), { task, agentId: holder ?? null });
    return ok(toWireTask(task));
  }

  /**
   * Tells the agent that held a cancelled task, and the task's actor; returns that agent. The holder
   * is the one the cancel's own transaction found (a cancelled task keeps `assigned_to`, which only an
   * assignment sets), not a read taken before it: a claim committed in between would be missed.
   */
  private stopCancelled(task: TaskRecord): string | null {
    const holder = task.assigned_to;
    // The agent stays busy (`stopping`) until its sidecar answers task_stopped or the stop timeout passes.
    if (holder) {
      const entry = this.ctx.agents.get(holder);
      entry?.actor.send({ type: 'task.cancelled', taskId: task.id });
      entry?.link?.send({ type: 'task_cancelled', task_id: task.id, generation: task.generation });
    }
    this.ctx.dispatch.actorOf(task.id)?.send({ type: 'task.cancelled' });
    return holder;
  }

  listDeadLetters(query: Pick<TaskListQuery, 'limit' | 'cursor'>): TaskListPage {
    return this.pageOf(this.ctx.queue.listDeadLetters(query));
  }

  async retryDeadLetter(taskId: string): Promise<Result<Task>> {
    const retried = await this.ctx.queue.retryDeadLetter(taskId, this.ctx.now());
    if (!retried.ok) return retried;
    this.ctx.events.emit('task.requeued', this.ctx.now(), { task: retried.value });
    this.ctx.scheduler.taskAvailable(retried.value);
    return ok(toWireTask(retried.value));
  }

  async purgeDeadLetters(taskId?: string): Promise<Result<number>> {
    return this.ctx.queue.purgeDeadLetters(taskId);
  }

  async reprioritiseTask(taskId: string, priority: number): Promise<Result<{ task: Task; from: number }>> {
    const moved = await this.ctx.queue.reprioritise(taskId, priority, this.ctx.now());
    if (!moved.ok) return moved;
    const { task, from } = moved.value;
    if (from !== task.priority) {
      this.ctx.events.emit('task.reprioritised', this.ctx.now(), { task, from });
      if (task.status === 'queued') this.ctx.scheduler.taskAvailable(task);
    }
    return ok({ task: toWireTask(task), from });
  }

  /** Straight to the agent, past the queue but not past the leases: paths another task's lease overlaps are refused (AC_ERR_LEASE_HELD). */
  async pushTask(agentId: string, description: string, metadata: Record<string, unknown>, paths: readonly string[] = []): Promise<Result<Task>> {
    const entry = this.ctx.agents.get(agentId);
    if (!entry?.link) return fail('AC_ERR_AGENT_NOT_CONNECTED', agentId);
    const now = this.ctx.now();
    const pushed = await this.ctx.queue.assignDirect(agentId, newTaskFrom({ description, metadata, max_retries: 0, paths: [...paths] }, 'admin', now), now);
    if (!pushed.ok) return pushed;
    this.ctx.dispatch.deliver(entry, pushed.value, 'pushed');
    return ok(toWireTask(pushed.value));
  }

  // --- tasks that moved without a request --------------------------------------------------

  /** Waiting tasks moved by the graph (already durable): into the scheduler, the delay timer and the feed. */
  dependentsSettled(tasks: readonly TaskRecord[]): void {
    let armDelay = false;
    for (const task of tasks) {
      this.ctx.events.emit('task.dependency_settled', this.ctx.now(), { task, step: task.history[0]?.event ?? task.status });
      if (task.status === 'queued') this.ctx.scheduler.taskAvailable(task);
      else if (task.status === 'delayed') armDelay = true;
    }
    if (armDelay) this.ctx.dispatch.armDelayTimer();
  }

  /**
   * Queued tasks whose awaited lease ended (already durable): offered to the scheduler again.
   * The offer needs only the capabilities of the task's lane, so no record is read: a task
   * taken meanwhile costs one claim that finds what else is there.
   */
  leaseWaitersFreed(freed: readonly LeaseWaiterFreed[]): void {
    for (const { neededCapabilities } of freed) this.ctx.scheduler.taskAvailable({ needed_capabilities: neededCapabilities });
  }

  /** Another hub changed a task: one entering a lane is offered here too; a delayed one re-arms the timer. */
  remoteTaskChanged(task: TaskRecord): void {
    if (task.status === 'queued') this.ctx.scheduler.taskAvailable(task);
    else if (task.status === 'delayed') this.ctx.dispatch.armDelayTimer();
    // Cancelled on another hub while one of this hub's agents held it: stop it here.
    else if (task.status === 'cancelled' && task.assigned_to && this.ctx.agents.get(task.assigned_to)?.link) this.stopCancelled(task);
  }
}

/** The event of a newly created task: which gate it waits at, or its lane. */
function entryEventOf(task: TaskRecord): 'task.awaiting_approval' | 'task.waiting' | 'task.delayed' | 'task.submitted' {
  switch (task.status) {
    case 'awaiting_approval': return 'task.awaiting_approval';
    case 'waiting': return 'task.waiting';
    case 'delayed': return 'task.delayed';
    default: return 'task.submitted';
  }
}

function leaseWaitView(wait: LeaseWait | null): TaskLinks['waiting_for_lease'] {
  return wait && { ...wait.lease, since: wait.since };
}
