// The hub's supervision tree, readable in one place.
//
//   root (rest_for_one: a child depends on every child before it)
//   ├── storage     LMDB environment, queue, tokens, settings
//   ├── agents      dynamic supervisor (one_for_one): agent:<id>, one per known agent
//   ├── tasks       dynamic supervisor (one_for_one): task:<id>, one per assigned task
//   ├── hub         the HubPort: routing between sockets, queue and actors
//   ├── sweeps      safety-net scheduling pass, silent-socket reaper
//   ├── transport   uWebSockets.js: HTTP API, /ws, /ws/dashboard
//   └── metrics     10 s samples for the dashboard charts
//
// Children start in this order, each only after the one before is ready, and
// stop in reverse: the transport closes its sockets first, storage flushes last.
import type { AnyActorLogic } from 'xstate';
import { serviceActor } from '../actors/service-actor.ts';
import { dynamicSupervisorMachine } from '../machines/dynamic-supervisor-machine.ts';
import type { ChildSpec } from '../machines/supervisor-machine.ts';

export interface ServiceDefinition<THandle> {
  id: string;
  start: () => Promise<THandle>;
  stop: (handle: THandle) => Promise<void>;
}

export interface TreeShape {
  services: {
    storage: ServiceDefinition<unknown>;
    hub: ServiceDefinition<unknown>;
    sweeps: ServiceDefinition<unknown>;
    transport: ServiceDefinition<unknown>;
    metrics: ServiceDefinition<unknown>;
  };
  intensity: number;
  periodMs: number;
}

export function rootSupervisorInput(shape: TreeShape) {
  const service = (definition: ServiceDefinition<unknown>): ChildSpec => ({
    id: definition.id,
    restart: 'permanent',
    logic: serviceActor(definition.id, { start: () => definition.start(), stop: (handle) => definition.stop(handle) }),
  });
  // OTP's DynamicSupervisor: one_for_one over children added and removed at runtime.
  const dynamicGroup = (id: string): ChildSpec => ({
    id,
    restart: 'permanent',
    logic: dynamicSupervisorMachine as AnyActorLogic,
    input: { intensity: shape.intensity, periodMs: shape.periodMs },
  });
  return {
    strategy: 'rest_for_one' as const,
    intensity: shape.intensity,
    periodMs: shape.periodMs,
    children: [
      service(shape.services.storage),
      dynamicGroup('agents'),
      dynamicGroup('tasks'),
      service(shape.services.hub),
      service(shape.services.sweeps),
      service(shape.services.transport),
      service(shape.services.metrics),
    ],
  };
}
