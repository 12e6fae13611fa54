// Per provider (fleet control): tasks in use against its cap, and agents parked by a rate
// limit. Counted from the agent cards, which hub events keep current; the caps come from
// the snapshot's `fleet_control.providers`.
import { byId, h } from './dom.ts';
import type { DashboardStore } from './store.ts';
import type { AgentView } from './types.ts';

const holdsWork = (agent: AgentView) =>
  agent.current_task_id !== null && ['assigned', 'working', 'stopping', 'blocked'].includes(agent.fsm_state);

export function providersView(store: DashboardStore): void {
  const list = byId('providers');
  const render = () => {
    const rows = new Map<string, { limit: number | null; inUse: number; parked: number; agents: number }>();
    const row = (provider: string) => {
      let entry = rows.get(provider);
      if (!entry) rows.set(provider, (entry = { limit: null, inUse: 0, parked: 0, agents: 0 }));
      return entry;
    };
    for (const known of store.snapshot?.fleet_control?.providers ?? []) row(known.provider).limit = known.limit;
    for (const agent of store.agents.values()) {
      if (!agent.provider) continue;
      const entry = row(agent.provider);
      entry.agents += 1;
      if (holdsWork(agent)) entry.inUse += 1;
      if (agent.blocked_reason === 'rate_limited') entry.parked += 1;
    }
    if (rows.size === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, 'No agent has declared a provider.'));
      return;
    }
    list.replaceChildren(...[...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([provider, entry]) =>
      h('li', { class: 'alert', 'data-provider': provider },
        h('div', { class: 'row-main' },
          h('strong', {}, provider),
          h('span', { class: 'message' }, `${entry.inUse} in use${entry.limit === null ? '' : ` / ${entry.limit}`}, ${entry.parked} parked`),
          h('span', { class: 'muted small' }, `${entry.agents} agent${entry.agents === 1 ? '' : 's'}`)))));
  };
  store.on('agents', render);
  render();
}
