import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { setup } from 'xstate';
import { agentMachine } from '../../../machines/agent-machine.ts';
import { alerterMachine } from '../../../machines/alerter-machine.ts';
import { dynamicSupervisorMachine } from '../../../machines/dynamic-supervisor-machine.ts';
import { supervisorMachine } from '../../../machines/supervisor-machine.ts';
import { taskMachine } from '../../../machines/task-machine.ts';
import { taskWaitingMachine } from '../../../machines/task-waiting-machine.ts';
import { taskApprovalMachine } from '../../../machines/task-approval-machine.ts';
import { renderTransitionTable, transitionTable } from '../../../machines/transition-table.ts';

const sample = setup({
  types: { events: {} as { type: 'go' } | { type: 'poke' } },
  actions: { greet: () => {}, note: (_, _params: { what: string }) => {} },
  guards: { allowed: () => true },
  delays: { patience: 1000 },
}).createMachine({
  id: 'sample',
  initial: 'waiting',
  states: {
    waiting: {
      entry: 'greet',
      after: { patience: { target: 'done', actions: { type: 'note', params: { what: 'timeout' } } } },
      on: {
        go: [{ guard: 'allowed', target: 'done' }, { actions: 'greet' }],
        poke: { target: 'waiting', reenter: true },
      },
    },
    done: { type: 'final' },
  },
});

describe('transitionTable', () => {
  it('lists entry actions, guarded transitions, re-entries and named timers in definition order', () => {
    expect(transitionTable(sample)).to.deep.equal([
      { state: '(any)', event: '(initial)', guard: '–', target: 'waiting', actions: '–' },
      { state: 'waiting', event: '(entry)', guard: '–', target: '–', actions: 'greet' },
      { state: 'waiting', event: 'go', guard: 'allowed', target: 'done', actions: '–' },
      { state: 'waiting', event: 'go', guard: '–', target: '–', actions: 'greet' },
      { state: 'waiting', event: 'poke', guard: '–', target: 'waiting (re-enter)', actions: '–' },
      { state: 'waiting', event: 'after patience', guard: '–', target: 'done', actions: 'note(timeout)' },
    ]);
  });

  it('renders a markdown table with one row per transition', () => {
    const lines = renderTransitionTable(sample).split('\n');
    expect(lines[0]).to.equal('| State | Event | Guard | Target | Actions |');
    expect(lines).to.have.length(2 + transitionTable(sample).length);
    expect(lines).to.include('| waiting | after patience | – | done | note(timeout) |');
  });
});

describe('docs/machines.md', () => {
  const doc = readFileSync(new URL('../../../docs/machines.md', import.meta.url), 'utf8');

  for (const [name, machine] of [
    ['agentMachine', agentMachine],
    ['taskMachine', taskMachine],
    ['taskWaitingMachine', taskWaitingMachine],
    ['taskApprovalMachine', taskApprovalMachine],
    ['supervisorMachine', supervisorMachine],
    ['dynamicSupervisorMachine', dynamicSupervisorMachine],
    ['alerterMachine', alerterMachine],
  ] as const) {
    it(`holds the current transition table of ${name}`, () => {
      const table = renderTransitionTable(machine);
      expect(doc.includes(table), `docs/machines.md is out of date for ${name}; paste in:\n${table}`).to.equal(true);
    });
  }
});
