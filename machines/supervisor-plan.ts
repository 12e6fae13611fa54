// The supervisor's data and its pure planning: which children an exit affects,
// in which order they stop and start again. machines/supervisor-machine.ts runs the plan.
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import { childrenToRestart, shouldRestart } from './restart-policy.ts';
import type { ChildExit, ChildRestart, RestartStrategy } from './restart-policy.ts';

export interface ChildSpec {
  id: string;
  logic: AnyActorLogic;
  restart: ChildRestart;
  input?: unknown;
  // For children that do not speak the contract (plain machines such as agent
  // and task actors): ready as soon as spawned, stopped without child.stop.
  readyOnSpawn?: boolean;
}

export interface SupervisorInput {
  children: ChildSpec[];
  strategy?: RestartStrategy;
  intensity?: number;
  periodMs?: number;
  childStopTimeoutMs?: number;
}

export interface SupervisorContext {
  specs: ChildSpec[];
  strategy: RestartStrategy;
  intensity: number;
  periodMs: number;
  childStopTimeoutMs: number;
  // Ids of live children, in start order.
  running: string[];
  // Live children that have sent child.ready.
  ready: string[];
  // The current incarnation of each live child, to tell its exit from a late
  // exit event of the incarnation it replaced (both carry the same id).
  refs: Record<string, AnyActorRef>;
  // Live readyOnSpawn children: stopped directly, without child.stop.
  directStop: string[];
  // Children still to start, head first; the head may be live and not yet ready.
  startQueue: string[];
  // Children still to stop, head first (reverse start order).
  stopQueue: string[];
  restartsInPeriod: number;
  restartCount: number;
  lastCrash: unknown;
}

export type SupervisorEvent =
  | { type: 'child.ready'; id: string }
  | { type: 'child.crashed'; id: string; error: unknown }
  // error: the child's cleanup failed; it is gone all the same.
  | { type: 'child.stopped'; id: string; error?: unknown }
  | { type: `xstate.error.actor.${string}`; error: unknown }
  | { type: `xstate.done.actor.${string}`; output: unknown }
  | { type: 'child.stop' }
  | { type: 'supervisor.stop' }
  | { type: 'supervisor.add_child'; spec: ChildSpec }
  | { type: 'supervisor.remove_child'; id: string }
  | { type: 'supervisor.restart_expired' };

export const defaultChildStopTimeoutMs = 5000;

const errorPrefix = 'xstate.error.actor.';
const donePrefix = 'xstate.done.actor.';

export interface ChildExitReport {
  id: string;
  exit: ChildExit;
  // false when XState already stopped the child (it errored or finished).
  alive: boolean;
  error: unknown;
}

export function exitReportOf(event: SupervisorEvent): ChildExitReport | null {
  if (event.type === 'child.crashed') return { id: event.id, exit: 'crash', alive: true, error: event.error };
  if (event.type.startsWith(errorPrefix) && 'error' in event) {
    return { id: event.type.slice(errorPrefix.length), exit: 'crash', alive: false, error: event.error };
  }
  if (event.type.startsWith(donePrefix)) {
    return { id: event.type.slice(donePrefix.length), exit: 'normal', alive: false, error: undefined };
  }
  return null;
}

// An exit XState reported for a child whose current incarnation is still
// active came from an earlier incarnation (e.g. a child that finished right
// after replying child.stopped): it says nothing about the live one.
export function isCurrentExit(context: SupervisorContext, report: ChildExitReport): boolean {
  if (!context.running.includes(report.id)) return false;
  return report.alive || context.refs[report.id]?.getSnapshot().status !== 'active';
}

export function specIndex(context: SupervisorContext, id: string): number {
  return context.specs.findIndex((spec) => spec.id === id);
}

export function without(ids: readonly string[], removed: readonly string[]): string[] {
  return ids.filter((id) => !removed.includes(id));
}

export function union(ids: readonly string[], added: readonly string[]): string[] {
  return [...ids, ...added.filter((id) => !ids.includes(id))];
}

export function inStartOrder(context: SupervisorContext, ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => specIndex(context, a) - specIndex(context, b));
}

// Stop in reverse start order, which is the order in `running`.
export function inStopOrder(context: SupervisorContext, ids: readonly string[]): string[] {
  return [...context.running].reverse().filter((id) => ids.includes(id));
}

export function forget(context: SupervisorContext, id: string): Partial<SupervisorContext> {
  const { [id]: _forgotten, ...refs } = context.refs;
  return {
    refs,
    directStop: without(context.directStop, [id]),
    running: without(context.running, [id]),
    ready: without(context.ready, [id]),
    stopQueue: without(context.stopQueue, [id]),
  };
}

// What the supervisor does about a child that went down: which children to
// stop and start again. The exited child itself is forgotten if it is gone.
export function planAfterExit(context: SupervisorContext, report: ChildExitReport): Partial<SupervisorContext> {
  const base = report.alive ? context : { ...context, ...forget(context, report.id) };
  const index = specIndex(base, report.id);
  const spec = base.specs[index];
  if (!spec) return base;
  if (!shouldRestart(spec.restart, report.exit)) {
    return {
      ...base,
      specs: base.specs.filter((candidate) => candidate.id !== report.id),
      startQueue: without(base.startQueue, [report.id]),
      stopQueue: report.alive ? inStopOrder(base, union(base.stopQueue, [report.id])) : base.stopQueue,
    };
  }
  const affected = childrenToRestart(base.strategy, base.specs.length, index).map((at) => base.specs[at]!);
  const dropped = affected.filter((child) => child.restart === 'temporary' && child.id !== report.id).map((child) => child.id);
  const restarted = affected.map((child) => child.id).filter((id) => !dropped.includes(id));
  const toStop = affected.map((child) => child.id).filter((id) => base.running.includes(id));
  return {
    ...base,
    specs: base.specs.filter((candidate) => !dropped.includes(candidate.id)),
    startQueue: inStartOrder(base, union(without(base.startQueue, dropped), restarted)),
    stopQueue: inStopOrder(base, union(base.stopQueue, toStop)),
    lastCrash: report.error,
  };
}

export function exitNeedsRestart(context: SupervisorContext, event: SupervisorEvent): boolean {
  const report = exitReportOf(event);
  const spec = report && context.specs.find((candidate) => candidate.id === report.id);
  return spec !== undefined && spec !== null && shouldRestart(spec.restart, report!.exit);
}

