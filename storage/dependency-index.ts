// Task dependencies on LMDB: who depends on whom, how many dependencies each
// waiting task still needs, and what happens to dependents when a task settles.
//
// Every method runs inside the queue's write transaction, so a dependency's
// completion and the release of its dependents are one commit: a kill -9 leaves
// either both or neither, and no dependent is released twice or lost.
//
// LMDB databases (opened here, on the queue's environment):
//   dependents  [dependency id, dependent id] → 0 while the edge still counts against
//               the dependent, 1 once it was counted as done. Release costs one range
//               read per settled task and one write per edge, never a scan.
//   waiting     task id → [remaining, policy], for waiting tasks only.
//
// Whether a dependent stays waiting, is released, fails or is cancelled is decided by
// `taskWaitingMachine` (machines/task-waiting-machine.ts), run here with xstate's pure
// `transition`.
import type { Database } from 'lmdb';
import { transition } from 'xstate';
import {
  taskWaitingMachine, type DependencyFailurePolicy, type TaskWaitingEvent, type TaskWaitingOutcome,
} from '../machines/task-waiting-machine.ts';
import type { LmdbStore } from './lmdb-store.ts';
import type { TaskIndexes } from './task-indexes.ts';
import { transition as taskTransition, type TaskRecord } from './task-record.ts';

type EdgeKey = [dependencyId: string, dependentId: string];
type WaitingEntry = [remaining: number, policy: DependencyFailurePolicy];

/** How a new (or revived) task stands against its dependencies. */
export interface DependencyStanding {
  missing: string[];
  outcome: TaskWaitingOutcome;
  remaining: number;
  failedDependency: string | null;
  /** Per dependency: 1 when it already counts as done. */
  edges: Map<string, 0 | 1>;
}

export interface WaitingStep {
  outcome: TaskWaitingOutcome;
  remaining: number;
  counted: boolean;
}

const lastKey = '\uffff';

export class DependencyIndex {
  private readonly dependents: Database<0 | 1, EdgeKey>;
  private readonly waiting: Database<WaitingEntry, string>;
  /** Tasks this transaction moved because of their dependencies; handed to the hub after the flush. */
  private settled: TaskRecord[] = [];

  constructor(private readonly store: LmdbStore, private readonly indexes: TaskIndexes) {
    // Through the live environment, as every database: a compaction swaps the file under them.
    this.dependents = store.live.database('dependents', {});
    this.waiting = store.live.database('waiting', {});
  }

  /** The tasks moved since the last call (inside one transaction callback). */
  takeSettled(): TaskRecord[] {
    if (this.settled.length === 0) return noTasks;
    const settled = this.settled;
    this.settled = [];
    return settled;
  }

  /** Reads every dependency of a task about to be created or revived. */
  standing(dependsOn: readonly string[], policy: DependencyFailurePolicy): DependencyStanding {
    const missing: string[] = [];
    const edges = new Map<string, 0 | 1>();
    const failures: string[] = [];
    for (const id of dependsOn) {
      if (edges.has(id)) continue;
      const dependency = this.find(id);
      if (!dependency) {
        missing.push(id);
        edges.set(id, 0);
      } else if (dependency.status === 'completed') {
        edges.set(id, 1);
      } else {
        edges.set(id, 0);
        if (dependency.status === 'dead_letter' || dependency.status === 'cancelled') failures.push(id);
      }
    }
    let remaining = [...edges.values()].filter((counted) => counted === 0).length;
    let step: WaitingStep = { outcome: remaining === 0 ? 'released' : 'waiting', remaining, counted: false };
    let failedDependency: string | null = null;
    for (const id of failures) {
      if (step.outcome !== 'waiting') break;
      step = waitingStep(remaining, policy, { type: 'dependency.failed', taskId: id });
      remaining = step.remaining;
      if (step.counted) edges.set(id, 1);
      if (step.outcome === 'dependency_failed') failedDependency = id;
    }
    return { missing, outcome: step.outcome, remaining, failedDependency, edges };
  }

  /** Writes the edges of a new task, and its waiting entry when it waits. */
  link(task: TaskRecord, standing: DependencyStanding): void {
    for (const [id, counted] of standing.edges) this.dependents.put([id, task.id], counted);
    if (task.status === 'waiting') this.waiting.put(task.id, [standing.remaining, policyOf(task)]);
  }

  /**
   * A task completed, was dead-lettered or cancelled: steps each dependent still counting
   * on it, and carries failures and cascading cancels down the graph.
   */
  settle(task: TaskRecord, now: number, cascade = false): void {
    // Only a waiting task counts on another: with none waiting, no edge can step (most
    // completions; the range read of the finished task's dependents cost one per task).
    if (this.indexes.count('waiting') === 0) return;
    const pending: Array<{ task: TaskRecord; event: TaskWaitingEvent }> = [{ task, event: eventFor(task, cascade) }];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const { task: dependency, event } = next;
      for (const { key, value } of this.dependents.getRange({ start: [dependency.id], end: [dependency.id, lastKey] })) {
        if (value !== 0) continue;
        const dependentId = key[1];
        const entry = this.waiting.get(dependentId);
        if (!entry) continue;
        const step = waitingStep(entry[0], entry[1], event);
        if (step.counted) this.dependents.put(key, 1);
        if (step.outcome === 'waiting') {
          if (step.counted) this.waiting.put(dependentId, [step.remaining, entry[1]]);
          continue;
        }
        this.waiting.remove(dependentId);
        const dependent = this.store.tasks.get(dependentId);
        if (!dependent) continue;
        const moved = this.leaveWaiting(dependent, step.outcome, dependency.id, now);
        this.settled.push(moved);
        if (moved.status !== 'queued' && moved.status !== 'delayed') pending.push({ task: moved, event: eventFor(moved, cascade) });
      }
    }
  }

  /**
   * A dead letter is active again (retried): its dependents that failed on its account wait
   * again, and theirs after them. Call after the task itself was moved out of the dead letters.
   */
  revive(task: TaskRecord, now: number): void {
    const pending = [task.id];
    for (let id = pending.pop(); id; id = pending.pop()) {
      for (const { key, value } of this.dependents.getRange({ start: [id], end: [id, lastKey] })) {
        if (value !== 0) continue;
        const dead = this.store.deadLetters.get(key[1]);
        if (!dead || dead.failed_dependency !== id) continue;
        const standing = this.standing(dead.depends_on ?? [], policyOf(dead));
        if (standing.outcome === 'dependency_failed') {
          // Another of its dependencies is still failed: it stays dead, now on that one's account.
          this.store.deadLetters.put(dead.id, { ...dead, failed_dependency: standing.failedDependency });
          continue;
        }
        const revived = this.reenter(dead, standing, now, { from: 'dead_letter', dependency: id });
        this.indexes.moveFromDeadLetters(dead, revived);
        this.settled.push(revived);
        pending.push(revived.id);
      }
    }
  }

  /**
   * A dead letter with dependencies retried by an operator: back to waiting, or into its lane
   * when every dependency is done. Null when a dependency is still failed (retry that first).
   */
  retryStanding(dead: TaskRecord): DependencyStanding | null {
    const standing = this.standing(dead.depends_on ?? [], policyOf(dead));
    return standing.outcome === 'dependency_failed' ? null : standing;
  }

  /** The dead letter as an active task again, waiting or in its lane, with its edges reset. */
  reenter(dead: TaskRecord, standing: DependencyStanding, now: number, details: Record<string, unknown>): TaskRecord {
    const status = standing.outcome === 'waiting' ? 'waiting' : laneStatus(dead, now);
    const revived = taskTransition(dead, {
      status, retry_count: 0, last_error: null, failed_dependency: null, generation: dead.generation + 1,
      assigned_to: null, assigned_at: null, accepted_at: null,
    }, status === 'waiting' ? 'waiting' : 'retry', now, details);
    for (const [dependencyId, counted] of standing.edges) this.dependents.put([dependencyId, dead.id], counted);
    if (status === 'waiting') this.waiting.put(dead.id, [standing.remaining, policyOf(dead)]);
    return revived;
  }

  /** Ids of every task that named `taskId` in depends_on. */
  dependentsOf(taskId: string): string[] {
    const ids: string[] = [];
    for (const key of this.dependents.getKeys({ start: [taskId], end: [taskId, lastKey] })) ids.push(key[1]);
    return ids;
  }

  /** Tasks waiting with `taskId` among the dependencies they still need. */
  waitingOn(taskId: string): TaskRecord[] {
    const tasks: TaskRecord[] = [];
    for (const { key, value } of this.dependents.getRange({ start: [taskId], end: [taskId, lastKey] })) {
      if (value !== 0 || this.waiting.get(key[1]) === undefined) continue;
      const task = this.store.tasks.get(key[1]);
      if (task) tasks.push(task);
    }
    return tasks;
  }

  /** A waiting task left `waiting` by other means (cancelled directly). */
  stopWaiting(taskId: string): void {
    this.waiting.remove(taskId);
  }

  /** Dependencies the waiting task still needs (the `waiting` count). */
  remainingFor(taskId: string): number | null {
    return this.waiting.get(taskId)?.[0] ?? null;
  }

  private find(taskId: string): TaskRecord | undefined {
    return this.store.tasks.get(taskId) ?? this.store.deadLetters.get(taskId);
  }

  private leaveWaiting(task: TaskRecord, outcome: TaskWaitingOutcome, dependencyId: string, now: number): TaskRecord {
    if (outcome === 'released') {
      const status = laneStatus(task, now);
      const released = taskTransition(task, { status }, 'released', now, { dependency: dependencyId });
      this.indexes.putActive(task, released);
      return released;
    }
    if (outcome === 'cancelled') {
      const cancelled = taskTransition(task, { status: 'cancelled' }, 'cancelled', now, { reason: 'dependency_cancelled', dependency: dependencyId });
      this.indexes.putActive(task, cancelled);
      return cancelled;
    }
    const dead = taskTransition(task, {
      status: 'dead_letter', failed_dependency: dependencyId, last_error: `dependency ${dependencyId} failed`,
    }, 'dead_letter', now, { reason: 'dependency_failed', dependency: dependencyId });
    this.indexes.moveToDeadLetters(task, dead);
    return dead;
  }
}

/** A task leaving `waiting` goes to its lane, or to the delayed set when not_before is still ahead. */
function laneStatus(task: TaskRecord, now: number): 'queued' | 'delayed' {
  return task.not_before !== null && task.not_before > now ? 'delayed' : 'queued';
}

function policyOf(task: TaskRecord): DependencyFailurePolicy {
  return task.on_dependency_failure === 'ignore' ? 'ignore' : 'fail';
}

function eventFor(task: TaskRecord, cascade: boolean): TaskWaitingEvent {
  if (task.status === 'completed') return { type: 'dependency.completed', taskId: task.id };
  if (task.status === 'cancelled') return { type: 'dependency.cancelled', taskId: task.id, cascade };
  return { type: 'dependency.failed', taskId: task.id };
}

/**
 * One step of the waiting machine. The machine is pure and its answer depends only on
 * whether this is the last dependency, the policy and the event, so answers are cached
 * by those: a release costs a map lookup per edge, not an xstate transition.
 */
const stepCache = new Map<string, { outcome: TaskWaitingOutcome; countedDown: number }>();

export function waitingStep(remaining: number, policy: DependencyFailurePolicy, event: TaskWaitingEvent): WaitingStep {
  const cascade = event.type === 'dependency.cancelled' && event.cascade;
  const key = `${Math.min(remaining, 2)}|${policy}|${event.type}|${cascade}`;
  let cached = stepCache.get(key);
  if (!cached) {
    const probe = Math.min(remaining, 2);
    const snapshot = taskWaitingMachine.resolveState({ value: 'waiting', context: { remaining: probe, policy, failedDependency: null } });
    const [next] = transition(taskWaitingMachine, snapshot, event);
    cached = { outcome: next.value as TaskWaitingOutcome, countedDown: probe - next.context.remaining };
    stepCache.set(key, cached);
  }
  return { outcome: cached.outcome, remaining: remaining - cached.countedDown, counted: cached.countedDown > 0 };
}

const noTasks: TaskRecord[] = [];
