// Turns the validated items of a bulk submit into the queue's ordered items.
//
// A request where any item has a `ref` or `depends_on_refs` is a graph: it is created
// whole or not at all, so a bad item, an unknown ref, a ref used twice or a cycle
// among refs refuses every item (each with its own error). Without refs the items
// are independent and each stands or falls alone.
import type { BulkSubmitItem } from '../storage/queue-engine.ts';
import type { TaskBulkItem } from '../web/protocol/task-bulk.ts';
import { fail, type Failure } from '../storage/domain/errors.ts';
import { newTaskFrom } from './task-intake.ts';

/** An item as the route hands it over: validated, or refused with its own failure. */
export type BulkItemInput = { ok: true; value: TaskBulkItem } | Failure;

export type BulkPlan =
  | { ok: true; atomic: boolean; items: BulkSubmitItem[]; originalIndex: number[] }
  | { ok: false; atomic: boolean; failures: Array<Failure | null> };

export function planBulk(inputs: readonly BulkItemInput[], submittedBy: string | null, now: number): BulkPlan {
  const atomic = inputs.some((input) => input.ok && (input.value.ref !== undefined || (input.value.depends_on_refs?.length ?? 0) > 0));
  const failures: Array<Failure | null> = inputs.map((input) => (input.ok ? null : input));
  if (!atomic) {
    const valid = inputs.flatMap((input, index) => (input.ok ? [{ input: newTaskFrom(input.value, submittedBy, now), dependsOnItems: [], index }] : []));
    return { ok: true, atomic, items: valid.map(({ input, dependsOnItems }) => ({ input, dependsOnItems })), originalIndex: valid.map((v) => v.index) };
  }

  const byRef = new Map<string, number>();
  inputs.forEach((input, index) => {
    if (!input.ok || input.value.ref === undefined) return;
    if (byRef.has(input.value.ref)) {
      failures[index] = fail('AC_ERR_BULK_REF_DUPLICATE', input.value.ref);
      failures[byRef.get(input.value.ref)!] ??= fail('AC_ERR_BULK_REF_DUPLICATE', input.value.ref);
    } else {
      byRef.set(input.value.ref, index);
    }
  });
  const edges: number[][] = inputs.map((input, index) => {
    if (!input.ok) return [];
    const unknown = (input.value.depends_on_refs ?? []).filter((ref) => !byRef.has(ref));
    if (unknown.length > 0) failures[index] ??= fail('AC_ERR_BULK_REF_UNKNOWN', unknown.join(', '));
    return [...new Set((input.value.depends_on_refs ?? []).flatMap((ref) => (byRef.has(ref) ? [byRef.get(ref)!] : [])))];
  });

  const order = topologicalOrder(edges);
  if (order.length < inputs.length) {
    const placed = new Set(order);
    const inCycle = inputs.map((_, index) => index).filter((index) => !placed.has(index));
    const refs = inCycle.map((index) => (inputs[index] as { value: TaskBulkItem }).value.ref ?? `#${index}`).join(' → ');
    for (const index of inCycle) failures[index] ??= fail('AC_ERR_BULK_CYCLE', refs);
  }
  const firstFailure = failures.findIndex((failure) => failure !== null);
  if (firstFailure >= 0) {
    return { ok: false, atomic, failures: failures.map((failure) => failure ?? fail('AC_ERR_BULK_ABORTED', firstFailure)) };
  }

  const position = new Map(order.map((index, at) => [index, at]));
  const items = order.map((index) => ({
    input: newTaskFrom((inputs[index] as { value: TaskBulkItem }).value, submittedBy, now),
    dependsOnItems: edges[index]!.map((dependency) => position.get(dependency)!),
  }));
  return { ok: true, atomic, items, originalIndex: order };
}

/** Kahn's algorithm over "item → items it depends on"; items on a cycle are left out. */
function topologicalOrder(dependsOn: readonly number[][]): number[] {
  const waitingFor = dependsOn.map((list) => list.length);
  const dependents: number[][] = dependsOn.map(() => []);
  dependsOn.forEach((list, index) => list.forEach((dependency) => dependents[dependency]!.push(index)));
  const ready = waitingFor.flatMap((count, index) => (count === 0 ? [index] : []));
  const order: number[] = [];
  for (let at = 0; at < ready.length; at += 1) {
    const index = ready[at]!;
    order.push(index);
    for (const dependent of dependents[index]!) {
      waitingFor[dependent]! -= 1;
      if (waitingFor[dependent] === 0) ready.push(dependent);
    }
  }
  return order;
}
