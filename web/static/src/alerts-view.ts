// Alerts the feed carries (alert_fired / _cleared / _acknowledged), with Acknowledge,
// which sends `acknowledge_alert` on the feed.
import { byId, h, keyedList } from './dom.ts';
import { ago } from './format.ts';
import type { DashboardStore } from './store.ts';
import type { Alert } from './types.ts';

const severityOrder: Record<string, number> = { critical: 0, warning: 1 };

export function alertsView(store: DashboardStore, acknowledge: (ruleId: string) => boolean): void {
  const list = byId('alerts');
  const render = () => {
    const alerts = [...store.alerts.values()].sort((a, b) =>
      Number(a.acknowledged) - Number(b.acknowledged) || (severityOrder[a.severity] ?? 2) - (severityOrder[b.severity] ?? 2) || b.fired_at - a.fired_at);
    if (alerts.length === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, 'No active alerts.'));
      return;
    }
    keyedList(list, alerts, (alert) => alert.rule_id,
      (alert) => {
        const button = h('button', { type: 'button', class: 'ghost ack', 'aria-label': `Acknowledge ${alert.rule_id}` }, 'Acknowledge');
        button.addEventListener('click', () => {
          if (acknowledge(alert.rule_id)) button.disabled = true;
        });
        return h('li', { class: 'alert', 'data-rule': alert.rule_id },
          h('div', { class: 'row-main' }, h('strong', { class: 'rule' }), h('span', { class: 'message' }), h('span', { class: 'muted small when' })),
          h('div', { class: 'row-actions' }, button));
      },
      (row, alert: Alert) => {
        row.dataset.severity = alert.severity;
        row.classList.toggle('acked', alert.acknowledged);
        row.querySelector('.rule')!.textContent = `${alert.severity}: ${alert.rule_id}`;
        row.querySelector('.message')!.textContent = alert.message;
        row.querySelector('.when')!.textContent = `fired ${ago(alert.fired_at, store.hubNow())}${alert.acknowledged ? ' · acknowledged' : ''}`;
        row.querySelector<HTMLButtonElement>('.ack')!.hidden = alert.acknowledged;
      });
  };
  store.on('alerts', render);
  render();
}
