// The hub's supervision tree, readable in one place.
//
//   root (rest_for_one: a child depends on every child before it)
//   ├── storage     LMDB environment, queue, tokens, settings
//   ├── agents      partitions agents/0…31, each a dynamic supervisor (one_for_one) of agent:<id>
//   ├── tasks       partitions tasks/0…31, each a dynamic supervisor (one_for_one) of task:<id>
//   ├── telemetry   OpenTelemetry MeterProvider: Prometheus pull reader, OTLP when asked
//   ├── hub         the HubPort: routing between sockets, queue and actors
//   ├── sweeps      safety-net scheduling pass, silent-socket reaper
//   ├── transport   uWebSockets.js: HTTP API, /ws, /ws/dashboard, /metrics
//   ├── metrics     10 s samples for the dashboard charts and the /api/metrics snapshot
//   ├── maintenance scheduled backups and compaction checks (runtime/storage-ops.ts)
//   └── alerter     alerterMachine: checks the rules, fires and clears alerts
//
// Children start in this order, each only after the one before is ready, and
// stop in reverse: the transport closes its sockets first, storage flushes last.
import type { AnyActorLogic } from 'xstate';
import { serviceActor } from '../actors/service-actor.ts';
import { dynamicSupervisorMachine } from '../machines/dynamic-supervisor-machine.ts';
import { supervisorMachine, type ChildSpec } from '../machines/supervisor-machine.ts';
import { partitionIds } from '../actors/partitions.ts';

export interface ServiceDefinition<THandle> {
  id: string;
  /** `crash` reports that the running service broke, so the tree restarts it and the services after it. */
  start: (context: { crash(error: unknown): void }) => Promise<THandle>;
  stop: (handle: THandle) => Promise<void>;
}

export interface TreeShape {
  services: {
    storage: ServiceDefinition<unknown>;
    hub: ServiceDefinition<unknown>;
    sweeps: ServiceDefinition<unknown>;
    transport: ServiceDefinition<unknown>;
    metrics: ServiceDefinition<unknown>;
    telemetry: ServiceDefinition<unknown>;
    /** Scheduled storage work (backups, compaction checks); absent in trees built without it. */
    maintenance?: ServiceDefinition<unknown>;
  };
  /** The alerter machine, provided with its facts and announcements. */
  alerter: { logic: AnyActorLogic; input: unknown };
  intensity: number;
  periodMs: number;
}

export function rootSupervisorInput(shape: TreeShape) {
  const service = (definition: ServiceDefinition<unknown>): ChildSpec => ({
    id: definition.id,
    restart: 'permanent',
    logic: serviceActor(definition.id, { start: (ctx) => definition.start(ctx), stop: (handle) => definition.stop(handle) }),
  });
  // Elixir's PartitionSupervisor over DynamicSupervisors: children added and removed at
  // runtime (one_for_one), spread over partitions by id (actors/partitions.ts).
  const dynamicGroup = (id: string): ChildSpec => ({
    id,
    restart: 'permanent',
    logic: supervisorMachine as AnyActorLogic,
    input: {
      strategy: 'one_for_one',
      intensity: shape.intensity,
      periodMs: shape.periodMs,
      children: partitionIds(id).map((partition): ChildSpec => ({
        id: partition,
        restart: 'permanent',
        logic: dynamicSupervisorMachine as AnyActorLogic,
        input: { intensity: shape.intensity, periodMs: shape.periodMs },
      })),
    },
  });
  return {
    strategy: 'rest_for_one' as const,
    intensity: shape.intensity,
    periodMs: shape.periodMs,
    children: [
      service(shape.services.storage),
      dynamicGroup('agents'),
      dynamicGroup('tasks'),
      service(shape.services.telemetry),
      service(shape.services.hub),
      service(shape.services.sweeps),
      service(shape.services.transport),
      service(shape.services.metrics),
      ...(shape.services.maintenance ? [service(shape.services.maintenance)] : []),
      { id: 'alerter', restart: 'permanent', logic: shape.alerter.logic, input: shape.alerter.input, readyOnSpawn: true } satisfies ChildSpec,
    ],
  };
}
