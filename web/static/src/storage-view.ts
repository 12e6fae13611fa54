// The storage card: the hub's dets_health (status, fragmentation, last backup) and its
// compaction history, with a button that takes a backup now.
import type { HubApi } from './api.ts';
import { byId, h } from './dom.ts';
import { ago, bytes } from './format.ts';
import type { DashboardStore } from './store.ts';

export function storageView(store: DashboardStore, api: HubApi, toast: (text: string) => void): void {
  const card = byId('storage');
  const button = byId<HTMLButtonElement>('backup-now');
  button.addEventListener('click', () => {
    button.disabled = true;
    button.textContent = 'Backing up…';
    api.backup().then(
      (answer) => toast(`Backup ${answer.backup.name} taken (${bytes(answer.backup.manifest.size_bytes)}).`),
      (error: Error) => toast(`Backup failed: ${error.message}`),
    ).finally(() => {
      button.disabled = false;
      button.textContent = 'Back up now';
    });
  });
  const render = () => {
    const health = store.snapshot?.dets_health;
    if (!health) {
      card.replaceChildren(h('p', { class: 'empty' }, 'No storage health from this hub.'));
      return;
    }
    const now = store.hubNow();
    const last = store.snapshot?.compaction_history?.[0];
    const facts: Array<[string, string]> = [
      ['Status', health.health_status],
      ['File', bytes(health.storage?.file_size_bytes)],
      ['Fragmentation', health.storage ? `${Math.round(health.storage.fragmentation * 100)}%` : '—'],
      ['Last backup', ago(health.last_backup_at, now)],
      ['Last compaction', last ? `${last.status} ${ago(last.finished_at, now)}` : 'never'],
    ];
    card.dataset.status = health.health_status;
    card.replaceChildren(
      h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', null, term), h('dd', null, value)])),
      ...(health.reasons.length ? [h('p', { class: 'muted small' }, health.reasons.join(' · '))] : []),
    );
  };
  store.on('storage', render);
  render();
}
