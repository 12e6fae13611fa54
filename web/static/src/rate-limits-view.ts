// Who the hub rate limited in the last minute: the snapshot's `rate_limits.limited`,
// kept current by `rate_limited` hub events. Entries older than a minute drop out.
import { byId, h } from './dom.ts';
import { ago } from './format.ts';
import type { DashboardStore } from './store.ts';

const recentMs = 60_000;

export function rateLimitsView(store: DashboardStore): void {
  const list = byId('rate-limits');
  const render = () => {
    const now = store.hubNow();
    const entries = [...store.rateLimited.values()].filter((entry) => now - entry.denied_at < recentMs).sort((a, b) => b.denied_at - a.denied_at);
    if (entries.length === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, 'Nobody is rate limited.'));
      return;
    }
    list.replaceChildren(...entries.map((entry) => h('li', { class: 'alert', 'data-key': entry.key },
      h('div', { class: 'row-main' },
        h('strong', {}, entry.agent_id ?? entry.key),
        h('span', { class: 'message' }, `${entry.channel} ${entry.tier}: ${entry.denials} denial${entry.denials === 1 ? '' : 's'}`),
        h('span', { class: 'muted small' }, `last ${ago(entry.denied_at, now)}`)))));
  };
  store.on('rateLimits', render);
  // Entries age out without an event.
  setInterval(render, 10_000);
  render();
}
