// The ActorHost over the supervision tree: agent and task actors are children of the
// dynamic supervisors (one_for_one) partitioning the `agents` and `tasks` groups, and are
// found by system id.
import type { ActorRefFrom, AnyActorLogic, AnyActorRef, InputFrom } from 'xstate';
import type { ChildSpec, SupervisorEvent } from '../machines/supervisor-machine.ts';
import type { ActorGroup, ActorHost } from './actor-host.ts';
import { partitionOf } from './partitions.ts';

interface SystemLike {
  get(systemId: string): AnyActorRef | undefined;
}

export function supervisedActorHost(system: SystemLike): ActorHost {
  const supervisorOf = (group: ActorGroup, childId: string) => {
    const partition = partitionOf(group, childId);
    const supervisor = system.get(partition);
    if (!supervisor) throw new Error(`supervisor ${partition} is not running`);
    return supervisor;
  };
  return {
    start<L extends AnyActorLogic>(group: ActorGroup, systemId: string, logic: L, input: InputFrom<L>): ActorRefFrom<L> {
      const spec: ChildSpec = {
        id: systemId,
        logic,
        input,
        // An agent actor comes back after a crash; a task actor does not (storage still holds the task
        // and the sweep starts a fresh actor for it).
        restart: group === 'agents' ? 'permanent' : 'temporary',
      };
      supervisorOf(group, systemId).send({ type: 'supervisor.add_child', spec } satisfies SupervisorEvent);
      const actor = system.get(systemId);
      if (!actor) throw new Error(`${systemId} did not start`);
      return actor as ActorRefFrom<L>;
    },
    stop(group, systemId) {
      system.get(partitionOf(group, systemId))?.send({ type: 'supervisor.remove_child', id: systemId } satisfies SupervisorEvent);
    },
    get<L extends AnyActorLogic>(systemId: string) {
      return system.get(systemId) as ActorRefFrom<L> | undefined;
    },
  };
}
