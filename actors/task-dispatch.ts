// Tasks out with agents: handing a claimed task to its agent, the task actors that
// watch it while it is out, taking it back (reclaim), and waking delayed tasks.
//
// Same order as everywhere: the queue has committed the change before a machine
// or a socket hears of it.
import type { Logger } from 'winston';
import type { QueueEngine, ReclaimReason } from '../storage/queue-engine.ts';
import type { TaskRecord } from '../storage/task-record.ts';
import type { TaskAssignment } from '../storage/domain/task-assignment.ts';
import { ok, type Result } from '../storage/domain/errors.ts';
import type { ActorHost } from './actor-host.ts';
import { stateOf, type AgentEntry, type AgentRegistry } from './agent-registry.ts';
import type { EventSink } from './event-sink.ts';
import { taskActorLogic, type TaskActorLogic } from './task-actor.ts';
import { TaskTimers } from './task-timers.ts';
import { dependencyResults } from './dependency-results.ts';

export interface TaskDispatchDeps {
  host: ActorHost;
  queue: QueueEngine;
  agents: AgentRegistry;
  events: EventSink;
  log: Logger;
  stuckAfterMs: number;
  now: () => number;
  /** Offers a task that went back into its lane to the scheduler. */
  offer: (task: TaskRecord) => void;
  /** True when another hub of the cluster serves this agent: its tasks are that hub's to watch. */
  heldElsewhere?: (agentId: string) => boolean;
}

const taskSystemId = (taskId: string) => `task:${taskId}`;

/** setTimeout fires at once for delays past 2^31 - 1 ms (about 24.8 days). */
const maxTimerMs = 2 ** 31 - 1;

/** The task actor's overdue timer: none without a deadline, or when it is too far off for a timer. */
function overdueTimerMs(completeBy: number | null, now: number): number | null {
  if (completeBy === null) return null;
  const remainingMs = Math.max(0, completeBy - now);
  return remainingMs > maxTimerMs ? null : remainingMs;
}

export class TaskDispatch {
  private readonly logic: TaskActorLogic;
  private readonly timers = new TaskTimers();
  private delayTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: TaskDispatchDeps) {
    this.logic = taskActorLogic({
      timedOut: (taskId, agentId, generation, reason) => void this.reclaim(taskId, reason, generation, agentId).then((reclaimed) => {
        // Refused: another decision already ended this assignment, and the actor has nothing left to watch.
        if (!reclaimed.ok) queueMicrotask(() => this.stopWithoutEnding(taskId));
      }),
      // From the actor's own entry action: the stop is queued behind the event it is processing.
      ended: (taskId) => deps.host.stop('tasks', taskSystemId(taskId)),
    }, this.timers);
  }

  /**
   * Hands a durably assigned task to its agent. A claimed task goes only to an idle agent; an
   * operator's push reaches a busy one too, whose sidecar answers task_rejected (busy) so the
   * task is reclaimed into the queue like any other.
   *
   * The frame is written first, at once, and the machines hear of it in the same synchronous
   * step (the agent machine's transition, the task actor's spawn, the events, and on a submit
   * the HTTP reply, about 0.5 ms under load, used to come before it): nothing the agent answers
   * can be read before this returns, so both machines hold the assignment before any report
   * of it reaches them.
   */
  deliver(entry: AgentEntry, task: TaskRecord, how: 'claimed' | 'pushed' = 'claimed'): void {
    const idle = stateOf(entry) === 'idle';
    if (!entry.link || (!idle && how === 'claimed')) {
      void this.reclaim(task.id, 'agent_disconnect', task.generation, entry.agentId);
      return;
    }
    const frame = {
      type: 'task_assign',
      task_id: task.id,
      description: task.description,
      metadata: task.metadata,
      generation: task.generation,
      assigned_at: this.deps.now(),
      priority: task.priority,
      needed_capabilities: task.needed_capabilities,
      complete_by: task.complete_by,
      ...(task.paths?.length ? { paths: task.paths } : {}),
      ...(task.depends_on?.length ? { dependencies: dependencyResults(task, (id) => this.deps.queue.get(id)) } : {}),
    } satisfies TaskAssignment;
    const link = entry.link;
    const sent = link.sendAtOnce ? link.sendAtOnce(frame) : link.send(frame);
    if (idle) {
      this.deps.agents.delivered(entry, { taskId: task.id, description: task.description });
      entry.actor.send({ type: 'task.assigned', taskId: task.id, generation: task.generation });
    }
    this.startActor(task);
    // history[1] is how the task last entered its lane (queued, retry, reclaimed…); a push never waited in one.
    const latencyMs = how === 'claimed' && task.history[1] ? task.history[0].timestamp - task.history[1].timestamp : null;
    if (!sent) this.deps.log.notice('task_assign frame not sent', { task_id: task.id, agent_id: entry.agentId });
    this.deps.events.emit('task.assigned', this.deps.now(), { task, agentId: entry.agentId, latencyMs, how });
  }

  /** Stops an actor that reached no ending: its timers go with it (an ending cancels them itself). */
  private stopWithoutEnding(taskId: string): void {
    const actor = this.actorOf(taskId);
    if (actor) this.timers.cancelAll(actor);
    this.deps.host.stop('tasks', taskSystemId(taskId));
  }

  /** The actor watching a task that is out with an agent, if it has one. */
  actorOf(taskId: string) {
    return this.deps.host.get<TaskActorLogic>(taskSystemId(taskId));
  }

  startActor(task: TaskRecord): void {
    this.deps.host.start('tasks', taskSystemId(task.id), this.logic, {
      taskId: task.id,
      agentId: task.assigned_to ?? '',
      generation: task.generation,
      stuckAfterMs: this.deps.stuckAfterMs,
      overdueInMs: overdueTimerMs(task.complete_by, this.deps.now()),
      accepted: task.accepted_at !== null,
    });
  }

  /**
   * Takes a task back from its agent into its lane and offers it again. The queue decides
   * (`storage/reclaim-outcome.ts`); `fenceHolder` also refuses unless `agentId` holds the task.
   */
  async reclaim(taskId: string, reason: ReclaimReason, generation: number | undefined, agentId: string, fenceHolder = false): Promise<Result<TaskRecord>> {
    const reclaimed = await this.deps.queue.reclaim(taskId, reason, this.deps.now(), generation, fenceHolder ? agentId : undefined);
    if (!reclaimed.ok) return reclaimed;
    const task = reclaimed.value;
    this.actorOf(taskId)?.send({ type: 'task.reclaimed', reason });
    // During an online restore the old hub's agents are already stopped when a reclaim settles.
    this.deps.agents.get(agentId)?.actor?.send({ type: 'task.reclaimed', taskId });
    this.deps.events.emit('task.reclaimed', this.deps.now(), { task, agentId, reason });
    this.deps.offer(task);
    return ok(task);
  }

  /**
   * Safety net over every assigned task: restores a missing task actor, and reclaims a task whose
   * agent has no socket once `graceOver` (only a restart leaves one so, since a close reclaims at once).
   */
  checkAssigned(graceOver: boolean): void {
    const now = this.deps.now();
    for (const task of this.deps.queue.assigned()) {
      if (this.deps.heldElsewhere?.(task.assigned_to ?? '')) continue;
      const holder = this.deps.agents.get(task.assigned_to ?? '');
      if (!holder?.link && graceOver) void this.reclaim(task.id, 'agent_disconnect', task.generation, task.assigned_to ?? '');
      // A deadline too far off for a timer when the actor started has no timer: the sweep catches it.
      else if (task.complete_by !== null && task.complete_by < now) void this.reclaim(task.id, 'overdue', task.generation, task.assigned_to ?? '');
      else if (!this.actorOf(task.id)) this.startActor(task);
    }
  }

  /** Wakes at the next delayed task's time and moves every due one into its lane. */
  armDelayTimer(): void {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    const next = this.deps.queue.nextDelayedAt();
    if (next === null) return;
    // setTimeout overflows past ~24.8 days; waking early just re-arms.
    const waitMs = Math.min(Math.max(0, next - this.deps.now()), 2 ** 31 - 1);
    this.delayTimer = setTimeout(() => void this.promoteDelayed(), waitMs);
    this.delayTimer.unref();
  }

  stop(): void {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.timers.stop();
  }

  private async promoteDelayed(): Promise<void> {
    const promoted = await this.deps.queue.promoteDue(this.deps.now());
    if (promoted.ok) for (const task of promoted.value) {
      this.deps.events.emit('task.queued', this.deps.now(), { task });
      this.deps.offer(task);
    }
    this.armDelayTimer();
  }
}
