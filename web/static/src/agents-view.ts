// One card per agent, colour-coded by FSM state. Offline agents stay, greyed.
import { byId, h, keyedList } from './dom.ts';
import { ago, duration, shortId } from './format.ts';
import type { DashboardStore } from './store.ts';
import type { AgentView } from './types.ts';

const stateOrder: Record<AgentView['fsm_state'], number> = { working: 0, assigned: 1, blocked: 2, stopping: 2, idle: 3, offline: 4 };

export function agentsView(store: DashboardStore, openTask: (id: string) => void, unblock?: (id: string) => Promise<void>): void {
  const list = byId('agents');
  const total = byId('agents-count');

  const create = (agent: AgentView) => {
    const card = h('li', { class: 'card agent', 'data-agent': agent.agent_id });
    card.append(
      h('div', { class: 'card-head' },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('strong', { class: 'agent-name' }),
        h('span', { class: 'hub-badge', hidden: '' }),
        h('span', { class: 'state' })),
      h('div', { class: 'caps' }),
      h('dl', { class: 'facts' }),
    );
    return card;
  };

  const update = (card: HTMLElement, agent: AgentView) => {
    const now = store.hubNow();
    card.dataset.state = agent.fsm_state;
    card.setAttribute('aria-label', `${agent.name}: ${agent.fsm_state}`);
    const label = agent.name === agent.agent_id ? agent.name : `${agent.name} (${agent.agent_id})`;
    card.querySelector('.agent-name')!.textContent = label;
    card.querySelector('.agent-name')!.setAttribute('title', label);
    card.querySelector('.state')!.textContent = agent.fsm_state;
    // On a cluster of hubs (engine jetstream): the hub the agent is connected to.
    const hubBadge = card.querySelector<HTMLElement>('.hub-badge')!;
    hubBadge.hidden = !agent.hub;
    hubBadge.textContent = agent.hub ?? '';
    if (agent.hub) hubBadge.title = `connected to hub ${agent.hub}`;
    const caps = card.querySelector('.caps')!;
    const capsText = agent.capabilities.join(' ');
    if (caps.getAttribute('data-caps') !== capsText) {
      caps.setAttribute('data-caps', capsText);
      caps.replaceChildren(...(agent.capabilities.length
        ? agent.capabilities.map((cap) => h('span', { class: 'chip' }, cap))
        : [h('span', { class: 'muted' }, 'any work')]));
    }
    const busy = agent.current_task_id !== null && (agent.fsm_state === 'assigned' || agent.fsm_state === 'working' || agent.fsm_state === 'blocked' || agent.fsm_state === 'stopping');
    const facts: Array<[string, Node | string]> = [
      ['Task', agent.current_task_id
        ? h('button', {
          type: 'button', class: 'link task-link', title: agent.current_task_description ?? agent.current_task_id,
          'aria-label': `Open task ${agent.current_task_id}`, onclick: () => openTask(agent.current_task_id!),
        }, agent.current_task_description || shortId(agent.current_task_id))
        : '—'],
      [busy ? 'For' : 'Since', duration(now - agent.last_state_change)],
      ['Heartbeat', ago(agent.last_seen, now)],
      ['Done', String(agent.tasks_completed)],
    ];
    if (agent.flags.length) facts.push(['Flags', agent.flags.join(', ')]);
    // Fleet control: why it is blocked and until when, its provider, a stalled task; an operator may lift the block.
    if (agent.provider) facts.push(['Provider', agent.provider]);
    if (agent.blocked_reason) {
      const until = agent.blocked_until ? ` for ${duration(Math.max(0, agent.blocked_until - now))}` : ' until unblocked';
      facts.push(['Blocked', `${agent.blocked_reason === 'breaker' ? `breaker (${agent.consecutive_failures ?? 0} failures)` : 'rate limited'}${until}`]);
      if (unblock) {
        facts.push(['', h('button', { type: 'button', class: 'unblock', 'aria-label': `Unblock ${agent.agent_id}`, onclick: () => void unblock(agent.agent_id) }, 'Unblock')]);
      }
    }
    if (agent.no_progress_since) facts.push(['Progress', `no progress for ${duration(now - agent.no_progress_since)}`]);
    card.querySelector('.facts')!.replaceChildren(...facts.flatMap(([label, value]) => [h('dt', null, label), h('dd', null, value)]));
  };

  const render = () => {
    const agents = [...store.agents.values()].sort((a, b) =>
      stateOrder[a.fsm_state] - stateOrder[b.fsm_state] || a.agent_id.localeCompare(b.agent_id));
    total.textContent = `(${agents.length})`;
    if (agents.length === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, store.snapshot ? 'No agents have connected yet.' : 'Waiting for the hub…'));
      return;
    }
    keyedList(list, agents, (agent) => agent.agent_id, create, update);
  };
  store.on('agents', render);
  // Durations tick between events.
  setInterval(() => store.changed('agents'), 1000);
  render();
}
