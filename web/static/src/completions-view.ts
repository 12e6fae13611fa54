// The latest completed tasks, with the pull request link when the git workflow reported one.
import { prOf } from './drawer-view.ts';
import { byId, h, keyedList } from './dom.ts';
import { ago, shortId } from './format.ts';
import type { DashboardStore } from './store.ts';

export function completionsView(store: DashboardStore, openTask: (id: string) => void): void {
  const list = byId('completions');
  const render = () => {
    if (store.completions.length === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, 'Nothing completed yet.'));
      return;
    }
    keyedList(list, store.completions, (task) => task.id,
      (task) => h('li', { class: 'row done', 'data-task': task.id },
        h('div', { class: 'row-main' },
          h('button', { type: 'button', class: 'link mono', 'aria-label': `Open task ${task.id}`, onclick: () => openTask(task.id) }, shortId(task.id)),
          h('span', { class: 'desc' }), h('span', { class: 'muted small meta' })),
        h('div', { class: 'row-actions pr' })),
      (row, task) => {
        row.querySelector('.desc')!.textContent = task.description;
        row.querySelector('.meta')!.textContent = `${task.assigned_to ?? '—'} · ${ago(task.updated_at, store.hubNow())}`;
        const pr = prOf(task);
        const slot = row.querySelector('.pr')!;
        if (pr && !slot.firstChild) slot.append(h('a', { href: pr, target: '_blank', rel: 'noopener', class: 'pr-link' }, prLabel(pr)));
      });
  };
  store.on('completions', render);
  render();
}

/** `https://github.com/o/r/pull/12` → `PR #12`. */
function prLabel(url: string): string {
  const number = /\/pull\/(\d+)/.exec(url)?.[1];
  return number ? `PR #${number}` : 'Pull request';
}
