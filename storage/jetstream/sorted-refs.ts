// A sorted array of task references: the in-memory stand-in for an LMDB range index.
// Inserts and removals are a binary search and a splice; new tasks (the highest seq) append.

export interface TaskRef {
  id: string;
  seq: number;
  priority: number;
  /** not_before for delayed tasks, otherwise 0. */
  at: number;
}

export class SortedRefs {
  private readonly refs: TaskRef[] = [];

  constructor(private readonly compare: (a: TaskRef, b: TaskRef) => number) {}

  get size(): number {
    return this.refs.length;
  }

  insert(ref: TaskRef): void {
    const last = this.refs[this.refs.length - 1];
    if (!last || this.compare(last, ref) < 0) {
      this.refs.push(ref);
      return;
    }
    const at = this.lowerBound(ref);
    if (this.refs[at] && this.compare(this.refs[at], ref) === 0) return;
    this.refs.splice(at, 0, ref);
  }

  remove(ref: TaskRef): void {
    const at = this.lowerBound(ref);
    if (this.refs[at] && this.compare(this.refs[at], ref) === 0) this.refs.splice(at, 1);
  }

  first(accept: (ref: TaskRef) => boolean): TaskRef | undefined {
    for (const ref of this.refs) if (accept(ref)) return ref;
    return undefined;
  }

  *ascending(): Generator<TaskRef> {
    for (const ref of this.refs) yield ref;
  }

  /** Refs with seq above `seq`, ascending (for an array ordered by seq). */
  *ascendingAbove(seq: number): Generator<TaskRef> {
    for (let i = this.seqBound(seq + 1); i < this.refs.length; i++) yield this.refs[i];
  }

  /** Refs with seq below `seq`, descending (for an array ordered by seq). */
  *descendingBelow(seq: number): Generator<TaskRef> {
    for (let i = this.seqBound(seq) - 1; i >= 0; i--) yield this.refs[i];
  }

  private lowerBound(ref: TaskRef): number {
    let low = 0;
    let high = this.refs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compare(this.refs[mid], ref) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The first index whose seq is at least `seq`. */
  private seqBound(seq: number): number {
    let low = 0;
    let high = this.refs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.refs[mid].seq < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
