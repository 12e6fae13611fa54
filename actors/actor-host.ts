// Where agent and task actors live. The hub asks the host to start and stop them;
// the host puts them under the right supervisor with a stable system id
// (`agent:<id>`, `task:<id>`) so the inspector and logs name the same thing.
import type { ActorRefFrom, AnyActorLogic, InputFrom } from 'xstate';

export type ActorGroup = 'agents' | 'tasks';

export interface ActorHost {
  start<L extends AnyActorLogic>(group: ActorGroup, systemId: string, logic: L, input: InputFrom<L>): ActorRefFrom<L>;
  stop(group: ActorGroup, systemId: string): void;
  get<L extends AnyActorLogic>(systemId: string): ActorRefFrom<L> | undefined;
}
