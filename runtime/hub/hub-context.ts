// What every role service of the hub shares: the queue, the agents and their actors,
// the task actors, the scheduler, fleet control, the event bus, the log and the clock.
// runtime/hub/hub.ts builds it once; each service is handed it and the services before it.
import type { AgentActors } from '../../actors/agent-actors.ts';
import type { AgentRegistry } from '../../actors/agent-registry.ts';
import type { Scheduler } from '../../actors/scheduler.ts';
import type { TaskDispatch } from '../../actors/task-dispatch.ts';
import type { ActorSnapshots } from '../../storage/actor-snapshots.ts';
import type { QueueEngine } from '../../storage/queue-engine.ts';
import type { AgentOutboundFrame } from '../../web/protocol/index.ts';
import type { ClusterPresence } from '../cluster-presence.ts';
import type { FleetControl } from '../fleet-control.ts';
import type { HubEvents } from '../hub-events.ts';
import type { Logger } from '../logger.ts';

export interface HubTimings {
  acceptanceTimeoutMs: number;
  stuckAfterMs: number;
  /** Rest for an agent that rejected an assignment, so the task goes to someone else. */
  rejectRestMs: number;
}

export interface HubContext {
  readonly queue: QueueEngine;
  /** Their links send any outbound agent frame (web/ports AgentSocketLink). */
  readonly agents: AgentRegistry<AgentOutboundFrame>;
  readonly agentActors: AgentActors<AgentOutboundFrame>;
  readonly dispatch: TaskDispatch;
  readonly scheduler: Scheduler;
  readonly fleet: FleetControl;
  readonly events: HubEvents;
  readonly log: Logger;
  readonly now: () => number;
  readonly timings: HubTimings;
  /** Agent snapshots kept across restarts; absent in hubs built without them. */
  readonly snapshots?: ActorSnapshots;
  /** The other hubs on one JetStream cluster (engine `jetstream`); absent on LMDB. */
  readonly cluster?: ClusterPresence;
}
