// Binds the pure alerter machine to the hub: its facts come from the metrics and the
// queue, and what it decides goes out as alert.* hub events.
import { fromPromise } from 'xstate';
import type { AlertChange } from '../machines/alert-evaluation.ts';
import { alerterMachine, type AlertCheck } from '../machines/alerter-machine.ts';

export interface AlerterHooks {
  gatherCheck(): Promise<AlertCheck>;
  announce(changes: AlertChange[]): void;
}

export function alerterActorLogic(hooks: AlerterHooks) {
  return alerterMachine.provide({
    actors: { gatherCheck: fromPromise(() => hooks.gatherCheck()) },
    actions: { announce: (_, params) => hooks.announce(params.changes) },
  });
}

