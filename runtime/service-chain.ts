// Boot's list of services, in start order: each service is started with the handles of
// the services started before it, typed by the chain, so no service reads a mutable bag
// or asserts that something it depends on exists. The root supervisor runs the list
// (runtime/root-supervisor.ts): start in order, stop in reverse, rest_for_one restarts.
//
//   const chain = ServiceChain.empty()
//     .then('storage', { start: async () => openStorage(), stop: (storage) => storage.close() })
//     .then('hub', { start: async ({ storage }) => new Hub(storage), stop: async (hub) => hub.stop() });
//
// `current(id)` reads a running service's handle for what lives outside the tree (the
// transport kept across a storage restart, the alerter's facts, the running hub's getters).
import { serviceActor } from '../actors/service-actor.ts';
import type { ChildSpec } from '../machines/supervisor-machine.ts';

export interface ServiceSpec<TBefore, THandle> {
  /** `crash` reports that the running service broke, so the tree restarts it and the services after it. */
  start: (before: TBefore, context: { crash(error: unknown): void }) => Promise<THandle>;
  stop: (handle: THandle) => Promise<void>;
}

type Entry =
  | { kind: 'service'; id: string; spec: ServiceSpec<never, unknown> }
  | { kind: 'child'; child: ChildSpec };

export class ServiceChain<THandles extends object> {
  private constructor(private readonly entries: readonly Entry[], private readonly handles: Map<string, unknown>) {}

  static empty(): ServiceChain<Record<never, never>> {
    return new ServiceChain([], new Map());
  }

  /** Adds a service that starts after every entry so far and is handed their handles. */
  then<K extends string, T>(id: K extends keyof THandles ? never : K, spec: ServiceSpec<THandles, T>): ServiceChain<THandles & { readonly [P in K]: T }> {
    const entry: Entry = { kind: 'service', id, spec: spec as ServiceSpec<never, unknown> };
    return new ServiceChain<THandles & { readonly [P in K]: T }>([...this.entries, entry], this.handles);
  }

  /** Adds children that are not services (supervisors of actors); they hand nothing on. */
  child(...children: ChildSpec[]): ServiceChain<THandles> {
    return new ServiceChain<THandles>([...this.entries, ...children.map((child): Entry => ({ kind: 'child', child }))], this.handles);
  }

  /** The handle of a service that started (and has not been replaced by its restart yet); undefined before. */
  current<K extends keyof THandles & string>(id: K): THandles[K] | undefined {
    return this.handles.get(id) as THandles[K] | undefined;
  }

  /** The chain as the root supervisor's children, in start order. */
  children(): ChildSpec[] {
    const earlier: string[] = [];
    return this.entries.map((entry): ChildSpec => {
      if (entry.kind === 'child') return entry.child;
      const { id, spec } = entry;
      const before = [...earlier];
      earlier.push(id);
      return {
        id,
        restart: 'permanent',
        logic: serviceActor(id, {
          start: async (context) => {
            const handle = await spec.start(this.handlesOf(before, id) as never, context);
            this.handles.set(id, handle);
            return handle;
          },
          stop: (handle) => spec.stop(handle as never),
        }),
      };
    });
  }

  /** The handles of the services before `id`; the tree starts a service only once those are running. */
  private handlesOf(ids: readonly string[], id: string): Record<string, unknown> {
    const handles: Record<string, unknown> = {};
    for (const earlier of ids) {
      if (!this.handles.has(earlier)) throw new Error(`service ${id} started before ${earlier}`);
      handles[earlier] = this.handles.get(earlier);
    }
    return handles;
  }
}
