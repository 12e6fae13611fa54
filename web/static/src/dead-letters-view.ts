// Dead-lettered tasks with Retry (the feed's `retry_task`) and Purge (DELETE, asks twice).
import type { HubApi } from './api.ts';
import { byId, h, keyedList } from './dom.ts';
import { ago, shortId } from './format.ts';
import type { DashboardStore } from './store.ts';
import type { Task } from './types.ts';

export interface DeadLetterActions {
  /** Sends `retry_task` on the feed; false when the socket is down. */
  retryOverFeed(taskId: string): boolean;
  toast(text: string): void;
}

export interface DeadLettersView {
  /** The feed answered a `retry_task`. */
  retryAnswered(taskId: string, status: string): void;
}

export function deadLettersView(store: DashboardStore, api: HubApi, actions: DeadLetterActions, openTask: (id: string) => void): DeadLettersView {
  const list = byId('dead-letters');
  const total = byId('dead-count');
  const pending = new Set<string>();

  const retry = async (task: Task, button: HTMLButtonElement) => {
    pending.add(task.id);
    button.disabled = true;
    button.textContent = 'Retrying…';
    // The feed answers with `retry_result`; over HTTP the reply is immediate.
    if (actions.retryOverFeed(task.id)) return;
    try {
      await api.retry(task.id);
      actions.toast(`Requeued ${shortId(task.id)}`);
    } catch (error) {
      actions.toast(`Retry failed: ${(error as Error).message}`);
    } finally {
      pending.delete(task.id);
      store.changed('deadLetters');
    }
  };

  const purge = async (task: Task, button: HTMLButtonElement) => {
    if (button.dataset.confirm !== 'yes') {
      button.dataset.confirm = 'yes';
      button.textContent = 'Confirm purge';
      button.setAttribute('aria-label', `Confirm: delete ${task.id} for good`);
      setTimeout(() => {
        if (!button.isConnected) return;
        delete button.dataset.confirm;
        button.textContent = 'Purge';
        button.setAttribute('aria-label', `Purge ${task.id}`);
      }, 4000);
      return;
    }
    button.disabled = true;
    try {
      await api.purge(task.id);
      actions.toast(`Purged ${shortId(task.id)}`);
    } catch (error) {
      button.disabled = false;
      actions.toast(`Purge failed: ${(error as Error).message}`);
    }
  };

  const render = () => {
    total.textContent = store.queue ? `(${store.queue.dead_letter})` : '';
    if (store.deadLetters.length === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, 'No dead letters.'));
      return;
    }
    keyedList(list, store.deadLetters, (task) => task.id,
      (task) => {
        const retryButton = h('button', { type: 'button', class: 'retry', 'aria-label': `Retry ${task.id}` }, 'Retry');
        const purgeButton = h('button', { type: 'button', class: 'danger purge', 'aria-label': `Purge ${task.id}` }, 'Purge');
        retryButton.addEventListener('click', () => void retry(task, retryButton));
        purgeButton.addEventListener('click', () => void purge(task, purgeButton));
        return h('li', { class: 'row dead', 'data-task': task.id },
          h('div', { class: 'row-main' },
            h('button', { type: 'button', class: 'link mono', 'aria-label': `Open task ${task.id}`, onclick: () => openTask(task.id) }, shortId(task.id)),
            h('span', { class: 'desc' }), h('span', { class: 'error small' })),
          h('div', { class: 'row-actions' }, retryButton, purgeButton));
      },
      (row, task) => {
        row.querySelector('.desc')!.textContent = task.description;
        row.querySelector('.error')!.textContent = `${task.last_error ?? 'failed'} · ${ago(task.updated_at, store.hubNow())}`;
        const button = row.querySelector<HTMLButtonElement>('.retry')!;
        if (!pending.has(task.id)) {
          button.disabled = false;
          button.textContent = 'Retry';
        }
      });
  };
  store.on('deadLetters', render);
  store.on('queue', () => {
    total.textContent = store.queue ? `(${store.queue.dead_letter})` : '';
  });

  return {
    retryAnswered(taskId, status) {
      pending.delete(taskId);
      actions.toast(status === 'requeued' ? `Requeued ${shortId(taskId)}` : `Retry of ${shortId(taskId)}: ${status.replace('_', ' ')}`);
      store.changed('deadLetters');
    },
  };
}
