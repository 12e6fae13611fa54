// `agentcom start --inspect`: streams every actor's events to the Stately inspector.
//
// The WebSocket inspector needs no internet: the hub runs a local inspector server
// and sends inspection events to it; a developer opens it in a browser. The Sky
// inspector (stately.ai) is never used by default because hubs often run offline.
import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import type { AnyActor, InspectionEvent, Observer } from 'xstate';
import type { Logger } from './logger.ts';

export function inspectorFor(port: number, log: Logger) {
  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  log.notice('stately inspector streaming', { inspector_url: `http://127.0.0.1:${port}` });
  return {
    inspect: namedBySystemId(inspector.inspect),
    stop() {
      inspector.stop();
      server.stop();
    },
  };
}

/**
 * The inspector names an actor by its id. An agent or task actor's id is its slot in its
 * partition supervisor ("0", "1"…, machines/child-slots.ts); its name is its system id
 * (`task:<id>`), so the inspector is shown that. XState reports a new actor before it sets its
 * system id, and the inspector reads the actor on a later tick: the name is read then too.
 */
export function namedBySystemId(inspect: Observer<InspectionEvent>): Observer<InspectionEvent> {
  return {
    next(event) {
      const actorRef = event.actorRef as AnyActor;
      if (event.type !== '@xstate.actor' || !actorRef._parent) {
        inspect.next?.(event);
        return;
      }
      // The actor itself underneath (its snapshot, logic and parent are read later), under its name.
      const named: AnyActor = Object.create(actorRef, { id: { get: () => actorRef.systemId ?? actorRef.id } });
      inspect.next?.({ ...event, actorRef: named });
    },
  };
}
