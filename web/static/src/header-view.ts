// The header's figures: uptime, version, transport, agents, queue depth, tasks/min,
// storage when the hub reports it, and the alert badge.
import { byId, h } from './dom.ts';
import { bytes, count, duration } from './format.ts';
import type { DashboardStore } from './store.ts';

export function headerView(store: DashboardStore): void {
  const stats = byId('stats');
  const badge = byId('alert-badge');

  const render = () => {
    const snapshot = store.snapshot;
    const agents = [...store.agents.values()];
    const connected = agents.filter((agent) => agent.fsm_state !== 'offline').length;
    const queued = store.queue?.by_status.queued;
    // Tasks/min: completions over the hub's last six 10 s samples.
    const lastMinute = store.series.slice(-6);
    const perMinute = lastMinute.length === 0 ? undefined
      : Math.round(lastMinute.reduce((sum, sample) => sum + sample.completed, 0) * (6 / lastMinute.length));
    const items: Array<[string, string, string]> = [
      ['uptime', 'Uptime', snapshot ? duration(store.uptimeMs() ?? 0) : '—'],
      ['version', 'Version', snapshot?.version ?? '—'],
      ['agents', 'Agents online', snapshot ? `${connected} / ${agents.length}` : '—'],
      ['queued', 'Queued', count(queued)],
      ['rate', 'Tasks/min', count(perMinute)],
    ];
    // Shown only when the hub reports them; the page does not guess.
    if (snapshot?.transport) items.splice(2, 0, ['transport', 'Transport', snapshot.transport]);
    if (snapshot?.storage) items.push(['storage', 'Storage', bytes(snapshot.storage.size_bytes)]);
    stats.replaceChildren(...items.map(([key, label, value]) =>
      h('div', { class: 'stat', 'data-stat': key }, h('dt', null, label), h('dd', null, value))));

    const open = [...store.alerts.values()].filter((alert) => !alert.acknowledged);
    const critical = open.some((alert) => alert.severity === 'critical');
    badge.textContent = String(open.length);
    badge.className = `badge${open.length ? (critical ? ' critical' : ' warning') : ''}`;
    badge.setAttribute('aria-label', open.length ? `Alerts: ${open.length} unacknowledged` : 'Alerts: none');
  };
  store.on('header', render);
  store.on('alerts', render);
  badge.addEventListener('click', () => byId('alerts-title').scrollIntoView({ behavior: 'smooth' }));
  // Uptime moves on without frames from the hub.
  setInterval(() => store.changed('header'), 1000);
  render();
}
