// Opt-in browser notifications through the service worker: dead-lettered tasks, agents
// going offline and critical alerts. Shown only while the page is open (no Web Push).
import { byId } from './dom.ts';
import { shortId } from './format.ts';
import type { AgentView, HubEvent } from './types.ts';

const preferenceKey = 'agentcom.notify';

export interface Notifier {
  /** Looks at one event batch and notifies about what matters. */
  notice(events: HubEvent[], agentsBefore: ReadonlyMap<string, AgentView>): void;
}

export function notifier(worker: Promise<ServiceWorkerRegistration | null>): Notifier {
  const button = byId<HTMLButtonElement>('notify');
  const supported = 'Notification' in window && 'serviceWorker' in navigator;
  let enabled = supported && Notification.permission === 'granted' && localStorage.getItem(preferenceKey) === 'on';

  const label = () => {
    if (!supported) {
      button.textContent = 'Notifications unavailable';
      button.disabled = true;
      button.title = 'This browser, or a page not served from localhost or https, cannot show notifications';
      return;
    }
    if (Notification.permission === 'denied') {
      button.textContent = 'Notifications blocked';
      button.disabled = true;
      return;
    }
    button.textContent = enabled ? 'Notifications on' : 'Enable notifications';
    button.setAttribute('aria-pressed', String(enabled));
  };

  button.addEventListener('click', async () => {
    if (!supported) return;
    if (enabled) {
      enabled = false;
      localStorage.setItem(preferenceKey, 'off');
    } else {
      enabled = (await Notification.requestPermission()) === 'granted';
      localStorage.setItem(preferenceKey, enabled ? 'on' : 'off');
    }
    label();
  });
  label();

  const show = async (title: string, body: string, tag: string) => {
    const registration = await worker;
    if (!enabled || !registration) return;
    await registration.showNotification(title, { body, tag });
  };

  return {
    notice(events, agentsBefore) {
      if (!enabled) return;
      for (const event of events) {
        if (event.type === 'task_event' && event.event === 'dead_letter') {
          void show('Task dead-lettered', `${shortId(event.task_id)} ran out of retries`, `dead:${event.task_id}`);
        } else if (event.type === 'status_changed') {
          const { agent } = event;
          if (agent.fsm_state === 'offline' && agentsBefore.get(agent.agent_id)?.fsm_state !== 'offline') {
            void show('Agent offline', `${agent.name} went offline`, `offline:${agent.agent_id}`);
          }
        } else if (event.type === 'alert_fired' && event.severity === 'critical') {
          void show(`Critical alert: ${event.rule_id}`, event.message, `alert:${event.rule_id}`);
        }
      }
    },
  };
}

/** Registers the worker that shows notifications and keeps the page's shell for a restarting hub. */
export async function registerWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    return null;
  }
}
