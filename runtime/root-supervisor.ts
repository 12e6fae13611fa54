// The hub's supervision tree, readable in one place.
//
//   root (rest_for_one: a child depends on every child before it)
//   ├── storage     LMDB environment, queue, tokens, settings
//   ├── agents      partitions agents/0…31, each a dynamic supervisor (one_for_one) of agent:<id>
//   ├── tasks       partitions tasks/0…31, each a dynamic supervisor (one_for_one) of task:<id>
//   ├── telemetry   OpenTelemetry MeterProvider: Prometheus pull reader, OTLP when asked
//   ├── hub         the role services (runtime/hub/): sockets ⇄ queue ⇄ actors
//   ├── sweeps      safety-net scheduling pass, silent-socket reaper
//   ├── transport   uWebSockets.js: HTTP API, /ws, /ws/dashboard, /metrics
//   ├── metrics     10 s samples for the dashboard charts and the /api/metrics snapshot
//   ├── maintenance scheduled backups and compaction checks (runtime/storage-ops.ts)
//   └── alerter     alerterMachine: checks the rules, fires and clears alerts
//
// Children start in this order, each only after the one before is ready, and
// stop in reverse: the transport closes its sockets first, storage flushes last.
// Boot (runtime/boot.ts) lists the services as a ServiceChain (runtime/service-chain.ts),
// each started with the handles of the services before it; the actor groups and the
// alerter come from here.
import type { AnyActorLogic } from 'xstate';
import { dynamicSupervisorMachine } from '../machines/dynamic-supervisor-machine.ts';
import { supervisorMachine, type ChildSpec } from '../machines/supervisor-machine.ts';
import { partitionIds } from '../actors/partitions.ts';

export interface TreeShape {
  /** The services and actor groups in start order (ServiceChain.children()). */
  children: ChildSpec[];
  /** The alerter machine, provided with its facts and announcements; it starts last. */
  alerter: { logic: AnyActorLogic; input: unknown };
  intensity: number;
  periodMs: number;
}

export function rootSupervisorInput(shape: TreeShape) {
  return {
    strategy: 'rest_for_one' as const,
    intensity: shape.intensity,
    periodMs: shape.periodMs,
    children: [
      ...shape.children,
      { id: 'alerter', restart: 'permanent', logic: shape.alerter.logic, input: shape.alerter.input, readyOnSpawn: true } satisfies ChildSpec,
    ],
  };
}

/**
 * The `agents` and `tasks` groups: Elixir's PartitionSupervisor over DynamicSupervisors,
 * children added and removed at runtime (one_for_one), spread over partitions by id (actors/partitions.ts).
 */
export function actorGroups(intensity: number, periodMs: number): ChildSpec[] {
  const dynamicGroup = (id: string): ChildSpec => ({
    id,
    restart: 'permanent',
    logic: supervisorMachine as AnyActorLogic,
    input: {
      strategy: 'one_for_one',
      intensity,
      periodMs,
      children: partitionIds(id).map((partition): ChildSpec => ({
        id: partition,
        restart: 'permanent',
        logic: dynamicSupervisorMachine as AnyActorLogic,
        input: { intensity, periodMs },
      })),
    },
  });
  return [dynamicGroup('agents'), dynamicGroup('tasks')];
}
