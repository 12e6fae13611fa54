// Derives a machine's transition table from its definition, so docs/machines.md
// can be checked against the code instead of drifting from it.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface TransitionRow {
  state: string;
  event: string;
  guard: string;
  target: string;
  actions: string;
}

const none = '–';

function stateName(node: AnyStateNode): string {
  return node.path.length === 0 ? '(any)' : node.path.join('.');
}

function describeParams(params: unknown): string {
  if (typeof params === 'function') return '…';
  if (params === null || typeof params !== 'object') return String(params);
  return Object.values(params).map(String).join(', ');
}

function describeRef(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'function') return (ref as { type?: string }).type ?? 'inline';
  if (ref !== null && typeof ref === 'object' && 'type' in ref) {
    const { type, params } = ref as { type: string; params?: unknown };
    const shown = params === undefined ? '' : describeParams(params);
    return shown === '' ? type : `${type}(${shown})`;
  }
  return 'inline';
}

function describeActions(actions: readonly unknown[]): string {
  return actions.length === 0 ? none : actions.map(describeRef).join(', ');
}

function describeEvent(node: AnyStateNode, eventType: string): string {
  const delayed = node.after.find((transition) => transition.eventType === eventType);
  if (delayed) return `after ${typeof delayed.delay === 'function' ? 'inline' : String(delayed.delay)}`;
  return eventType;
}

function describeTarget(transition: AnyTransitionDefinition): string {
  if (!transition.target || transition.target.length === 0) return none;
  return transition.target
    .map((target) => {
      const name = stateName(target);
      return transition.reenter && target === transition.source ? `${name} (re-enter)` : name;
    })
    .join(', ');
}

function rowOf(node: AnyStateNode, event: string, transition: AnyTransitionDefinition): TransitionRow {
  return {
    state: stateName(node),
    event,
    guard: transition.guard === undefined ? none : describeRef(transition.guard),
    target: describeTarget(transition),
    actions: describeActions(transition.actions),
  };
}

// XState implements `after` by adding to the state's entry a raise whose id is
// the delayed event; the `after` rows already show those timers.
function ownEntryActions(node: AnyStateNode): unknown[] {
  const timers = new Set(node.after.map((transition) => transition.eventType));
  return node.entry.filter((action) => !(typeof action === 'function' && timers.has((action as { id?: string }).id ?? '')));
}

function rowsOf(node: AnyStateNode): TransitionRow[] {
  const rows: TransitionRow[] = [];
  const state = stateName(node);
  const entry = ownEntryActions(node);
  if (entry.length > 0) rows.push({ state, event: '(entry)', guard: none, target: none, actions: describeActions(entry) });
  if (node.type === 'compound') {
    rows.push({ state, event: '(initial)', guard: none, target: describeTarget(node.initial), actions: none });
  }
  for (const transition of node.always ?? []) rows.push(rowOf(node, 'always', transition));
  for (const [eventType, transitions] of node.transitions) {
    const event = describeEvent(node, eventType);
    for (const transition of transitions) rows.push(rowOf(node, event, transition));
  }
  for (const child of Object.values(node.states) as AnyStateNode[]) rows.push(...rowsOf(child));
  return rows;
}

/** Every state's entry actions, initial state and transitions, in definition order, root first. */
export function transitionTable(machine: AnyStateMachine): TransitionRow[] {
  return rowsOf(machine.root);
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function renderTransitionTable(machine: AnyStateMachine): string {
  const lines = ['| State | Event | Guard | Target | Actions |', '|---|---|---|---|---|'];
  for (const row of transitionTable(machine)) {
    lines.push(`| ${[row.state, row.event, row.guard, row.target, row.actions].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}
