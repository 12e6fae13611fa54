// Queued tasks per priority lane, from the hub's queue stats.
import { byId, h, keyedList } from './dom.ts';
import { count } from './format.ts';
import type { DashboardStore } from './store.ts';
import { laneNames } from './types.ts';

export function lanesView(store: DashboardStore, filterLane: (lane: number) => void): void {
  const list = byId('lanes');
  const render = () => {
    const byLane = store.queue?.by_priority ?? {};
    const depths = laneNames.map((_, lane) => byLane[String(lane)] ?? 0);
    const max = Math.max(1, ...depths);
    keyedList(list, laneNames.map((name, lane) => ({ name, lane, depth: depths[lane] })), (item) => item.name,
      (item) => h('li', { class: 'lane', 'data-lane': item.name },
        h('button', { type: 'button', class: 'lane-name link', 'aria-label': `Show queued ${item.name} tasks`, onclick: () => filterLane(item.lane) }, item.name),
        h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'fill' })),
        h('span', { class: 'lane-count' })),
      (element, item) => {
        element.querySelector<HTMLElement>('.fill')!.style.transform = `scaleX(${item.depth / max})`;
        element.querySelector('.lane-count')!.textContent = store.queue ? count(item.depth) : '—';
      });
    const footer = list.nextElementSibling?.classList.contains('lane-foot') ? list.nextElementSibling : null;
    const text = store.queue
      ? `${count(store.queue.by_status.assigned ?? 0)} assigned · ${count(store.queue.by_status.delayed ?? 0)} delayed · ${count(store.queue.dead_letter)} dead`
        + (store.queue.by_status.waiting ? ` · ${count(store.queue.by_status.waiting)} waiting` : '')
      : '';
    if (footer) footer.textContent = text;
    else list.after(h('p', { class: 'lane-foot muted' }, text));
  };
  store.on('queue', render);
  render();
}
