// The task list: filters (status, lane, agent, capability), cursor paging, newest first.
// Reloaded from the API when hub events say tasks moved, at most once a second.
import type { HubApi, TaskFilter } from './api.ts';
import { byId, h, keyedList } from './dom.ts';
import { ago, shortId, statusText } from './format.ts';
import type { DashboardStore } from './store.ts';
import { laneNames, type Task } from './types.ts';

const pageSize = 25;
const statuses = ['queued', 'delayed', 'assigned', 'completed', 'dead_letter', 'cancelled', 'waiting', 'awaiting_approval'];

export interface TasksView {
  reload(): void;
  showLane(lane: number): void;
}

export function tasksView(store: DashboardStore, api: HubApi, openTask: (id: string) => void): TasksView {
  const form = byId<HTMLFormElement>('task-filters');
  const table = byId<HTMLTableElement>('tasks');
  const pager = byId('pager');
  let filter: TaskFilter = {};
  /** Cursors of the pages before the current one; the current page starts at `cursor`. */
  const previous: Array<number | null> = [];
  let cursor: number | null = null;
  let nextCursor: number | null = null;
  let loading: Promise<void> | null = null;
  let again = false;

  const select = (name: string, label: string, options: Array<[string, string]>) =>
    h('label', null, label, h('select', { name }, h('option', { value: '' }, 'any'), ...options.map(([value, text]) => h('option', { value }, text))));
  const agentSelect = h('select', { name: 'assigned_to' }, h('option', { value: '' }, 'any'));
  form.append(
    select('status', 'Status', statuses.map((status) => [status, status.replace('_', ' ')])),
    select('priority', 'Lane', laneNames.map((name, lane) => [String(lane), name])),
    h('label', null, 'Agent', agentSelect),
    h('label', null, 'Capability', h('input', { name: 'capability', type: 'search', placeholder: 'e.g. code', spellcheck: 'false' })),
  );
  const thead = h('thead', null, h('tr', null, ...['Task', 'Status', 'Lane', 'Agent', 'Capabilities', 'Updated'].map((title) => h('th', { scope: 'col' }, title))));
  const tbody = h('tbody');
  table.append(thead, tbody);
  const prev = h('button', { type: 'button', class: 'ghost', 'aria-label': 'Previous page' }, '← Newer');
  const next = h('button', { type: 'button', class: 'ghost', 'aria-label': 'Next page' }, 'Older →');
  const info = h('span', { class: 'muted', 'aria-live': 'polite' });
  pager.append(prev, info, next);

  const readFilter = (): TaskFilter => {
    const data = new FormData(form);
    const value = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    return { status: value('status'), priority: value('priority'), assigned_to: value('assigned_to'), capability: value('capability') };
  };

  const load = async (): Promise<void> => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        const page = await api.tasks(filter, pageSize, cursor);
        nextCursor = page.next_cursor;
        draw(page.tasks);
      } catch (error) {
        info.textContent = `Could not load tasks: ${(error as Error).message}`;
      } finally {
        loading = null;
        if (again) {
          again = false;
          void load();
        }
      }
    })();
    return loading;
  };

  const draw = (tasks: Task[]) => {
    const now = store.hubNow();
    if (tasks.length === 0) {
      tbody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: '6' }, 'No tasks match.')));
    } else {
      keyedList(tbody, tasks, (task) => task.id,
        (task) => h('tr', { 'data-task': task.id },
          h('td', null, h('button', { type: 'button', class: 'link mono', 'aria-label': `Open task ${task.id}`, onclick: () => openTask(task.id) }, shortId(task.id)),
            h('span', { class: 'desc' })),
          h('td'), h('td'), h('td'), h('td'), h('td')),
        (row, task) => {
          const cells = row.children;
          cells[0].querySelector('.desc')!.textContent = task.description;
          cells[1].replaceChildren(h('span', { class: `status s-${task.status}` }, statusText(task, now)));
          cells[2].textContent = laneNames[task.priority] ?? String(task.priority);
          cells[3].textContent = task.assigned_to ?? '—';
          cells[4].textContent = task.needed_capabilities.join(', ') || '—';
          cells[5].textContent = ago(task.updated_at, now);
        });
    }
    prev.disabled = previous.length === 0;
    next.disabled = nextCursor === null;
    info.textContent = `Page ${previous.length + 1} · ${tasks.length} shown`;
  };

  const restart = () => {
    filter = readFilter();
    previous.length = 0;
    cursor = null;
    void load();
  };
  form.addEventListener('change', restart);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    restart();
  });
  prev.addEventListener('click', () => {
    if (previous.length === 0) return;
    cursor = previous.pop() ?? null;
    void load();
  });
  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    previous.push(cursor);
    cursor = nextCursor;
    void load();
  });

  // The agent filter lists the agents the hub knows.
  store.on('agents', () => {
    const ids = [...store.agents.keys()].sort();
    const known = [...agentSelect.options].slice(1).map((option) => option.value);
    if (ids.join('\n') === known.join('\n')) return;
    const chosen = agentSelect.value;
    agentSelect.replaceChildren(h('option', { value: '' }, 'any'), ...ids.map((id) => h('option', { value: id }, id)));
    agentSelect.value = ids.includes(chosen) ? chosen : '';
  });

  return {
    reload: () => void load(),
    showLane(lane) {
      form.querySelector<HTMLSelectElement>('[name=status]')!.value = 'queued';
      form.querySelector<HTMLSelectElement>('[name=priority]')!.value = String(lane);
      restart();
      byId('tasks-title').scrollIntoView({ behavior: 'smooth' });
    },
  };
}
