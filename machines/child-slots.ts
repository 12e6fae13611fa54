// The children of a dynamic supervisor, each under a small numbered slot as its actor id
// ("0", "1", …), freed when the child goes and given to the next child added.
//
// XState keeps a parent's children in a plain object, copied with the new child's id as a key on
// every spawn (`{ ...children, [id]: ref }`) and copied and deleted from on every stop. An id new
// to V8 (`task:<uuid>`) costs a new hidden class on each spawn and a slow delete on each stop:
// about 7 µs per task actor here, against 0.2 µs for array-index keys that come back. The child
// keeps its name as its system id (`system.get`, the hub's lookups); the inspector shows that
// name too (runtime/inspector.ts).
import type { ChildSpec } from './supervisor-plan.ts';

export class ChildSlots {
  private readonly specAt = new Map<string, ChildSpec>();
  private readonly slotOf = new Map<string, string>();
  private readonly free: string[] = [];
  private nextSlot = 0;

  get size(): number {
    return this.specAt.size;
  }

  /** True while a child with this system id is held. */
  holds(childId: string): boolean {
    return this.slotOf.has(childId);
  }

  /** The actor id (slot) of the child with this system id. */
  slotOfChild(childId: string): string | undefined {
    return this.slotOf.get(childId);
  }

  /** The spec of the child in this slot. */
  specIn(slot: string): ChildSpec | undefined {
    return this.specAt.get(slot);
  }

  /** Holds a new child and returns its slot. */
  take(spec: ChildSpec): string {
    const slot = this.free.pop() ?? String(this.nextSlot++);
    this.specAt.set(slot, spec);
    this.slotOf.set(spec.id, slot);
    return slot;
  }

  /** Forgets the child in this slot; the slot goes to a later child. */
  release(slot: string): void {
    const spec = this.specAt.get(slot);
    if (!spec) return;
    this.specAt.delete(slot);
    this.slotOf.delete(spec.id);
    this.free.push(slot);
  }

  /** Slots of the held children, in the order they were taken. */
  slots(): string[] {
    return [...this.specAt.keys()];
  }

  clear(): void {
    for (const slot of this.slots()) this.release(slot);
  }
}
