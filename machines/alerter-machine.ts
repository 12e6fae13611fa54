// The alerter (reference §9): the first check after `firstCheckMs` (30 s), then one
// every `check_interval_ms`, re-read with the thresholds on each check. The rules are
// decided in alert-evaluation.ts; facts come through the `gatherCheck` slot and every
// fired, cleared or acknowledged alert leaves through the `announce` slot.
import { assign, fromPromise, setup } from 'xstate';
import { acknowledgeAlert, evaluateAlerts, initialAlerterState, type AlertChange, type AlerterState } from './alert-evaluation.ts';
import type { AlertThresholds } from '../storage/domain/alert-thresholds.ts';
import type { AlertFacts } from './alert-rules.ts';

export interface AlerterInput {
  firstCheckMs: number;
}

export interface AlertCheck {
  facts: AlertFacts;
  thresholds: AlertThresholds;
  now: number;
}

export interface AlerterContext {
  firstCheckMs: number;
  intervalMs: number;
  alerts: AlerterState;
  /** What the last event changed, for the `announce` slot. */
  changes: AlertChange[];
  checks: number;
}

export type AlerterEvent = { type: 'alerter.acknowledge'; ruleId: string } | { type: 'alerter.check_now' };

export const alerterMachine = setup({
  types: {
    input: {} as AlerterInput,
    context: {} as AlerterContext,
    events: {} as AlerterEvent,
  },
  actors: {
    gatherCheck: fromPromise<AlertCheck>(async () => {
      throw new Error('gatherCheck is provided by actors/alerter-actor.ts');
    }),
  },
  actions: {
    announce: (_, _params: { changes: AlertChange[] }) => {},
    recordAcknowledgement: assign(({ context, event }) => {
      if (event.type !== 'alerter.acknowledge') return {};
      const acknowledged = acknowledgeAlert(context.alerts, event.ruleId);
      return acknowledged ? { alerts: acknowledged.state, changes: acknowledged.changes } : {};
    }),
  },
  guards: {
    hasActiveAlert: ({ context, event }) => event.type === 'alerter.acknowledge' && acknowledgeAlert(context.alerts, event.ruleId) !== null,
  },
  delays: {
    firstCheck: ({ context }) => context.firstCheckMs,
    checkInterval: ({ context }) => context.intervalMs,
  },
}).createMachine({
  id: 'alerter',
  context: ({ input }) => ({ firstCheckMs: input.firstCheckMs, intervalMs: 30_000, alerts: initialAlerterState, changes: [], checks: 0 }),
  initial: 'starting',
  on: {
    'alerter.acknowledge': {
      guard: 'hasActiveAlert',
      actions: [
        'recordAcknowledgement',
        { type: 'announce', params: ({ context }) => ({ changes: context.changes }) },
      ],
    },
  },
  states: {
    starting: {
      after: { firstCheck: 'checking' },
      on: { 'alerter.check_now': 'checking' },
    },
    checking: {
      invoke: {
        id: 'gatherCheck',
        src: 'gatherCheck',
        onDone: {
          target: 'waiting',
          actions: [
            assign(({ context, event }) => {
              const { facts, thresholds, now } = event.output;
              const evaluated = evaluateAlerts(context.alerts, facts, thresholds, now);
              return { alerts: evaluated.state, changes: evaluated.changes, intervalMs: thresholds.check_interval_ms, checks: context.checks + 1 };
            }),
            { type: 'announce', params: ({ context }) => ({ changes: context.changes }) },
          ],
        },
        // Facts could not be gathered (storage closing): try again next interval.
        onError: 'waiting',
      },
    },
    waiting: {
      after: { checkInterval: 'checking' },
      on: { 'alerter.check_now': 'checking' },
    },
  },
});
