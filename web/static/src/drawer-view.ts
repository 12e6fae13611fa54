// The task drawer: every field of one task and its history timeline (newest first).
// Opens over the page, traps nothing but closes with Escape, and gives focus back.
import type { HubApi } from './api.ts';
import { byId, fill, h } from './dom.ts';
import { dateTime, shortId, statusText } from './format.ts';
import { laneNames, type Task, type TaskDetail } from './types.ts';
import { drawWorkflowGraph, hasWorkflow, workflowLinks } from './workflow-view.ts';

export interface DrawerView {
  open(taskId: string): void;
  /** Re-reads the open task if it is this one. */
  refresh(taskId: string): void;
  readonly taskId: string | null;
}

export function drawerView(api: HubApi): DrawerView {
  const drawer = byId('drawer');
  const scrim = byId('scrim');
  const body = byId('drawer-body');
  const title = byId('drawer-title');
  const close = byId<HTMLButtonElement>('drawer-close');
  let current: string | null = null;
  let opener: HTMLElement | null = null;

  const hide = () => {
    if (current === null) return;
    current = null;
    drawer.hidden = true;
    scrim.hidden = true;
    opener?.focus();
  };
  close.addEventListener('click', hide);
  scrim.addEventListener('click', hide);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && current !== null) hide();
  });

  const load = async (taskId: string) => {
    try {
      const task = await api.task(taskId);
      if (current === taskId) draw(task);
      if (current === taskId && hasWorkflow(task)) {
        const graph = h('section', { class: 'wf-graph-wrap', 'aria-label': 'Workflow graph' });
        body.querySelector('.workflow')?.after(graph);
        await drawWorkflowGraph(api, task, graph, (id) => open(id));
      }
    } catch (error) {
      if (current === taskId) body.replaceChildren(h('p', { class: 'error' }, `Could not load ${taskId}: ${(error as Error).message}`));
    }
  };

  const draw = (task: TaskDetail) => {
    title.textContent = `Task ${shortId(task.id)}`;
    const field = (label: string, value: Node | string) => [h('dt', null, label), h('dd', null, value)];
    const prUrl = prOf(task);
    const where = whereOf(task);
    const cancellable = task.status === 'queued' || task.status === 'delayed' || task.status === 'assigned';
    const cancel = cancellable
      ? h('button', { type: 'button', class: 'danger', 'data-action': 'cancel', onclick: () => void cancelTask(task) }, task.status === 'assigned' ? 'Cancel (stops the agent)' : 'Cancel')
      : null;
    const movable = task.status === 'queued' || task.status === 'delayed' || task.status === 'waiting';
    const lane = movable ? laneSelect(task) : null;
    const wait = task.waiting_for_lease;
    fill(body,
      h('p', { class: 'task-desc' }, task.description),
      cancel || lane ? h('div', { class: 'drawer-actions' }, lane, cancel) : null,
      wait ? h('p', { class: 'lease-wait', role: 'status', 'data-field': 'waiting-for-lease' },
        'Waiting for a path lease: ',
        h('a', { href: '#', onclick: (event: Event) => { event.preventDefault(); open(wait.task_id); } }, `task ${shortId(wait.task_id)}`),
        ` (agent ${wait.agent_id ?? 'being assigned'}) holds ${wait.paths.join(', ')}${wait.repo ? ` in ${wait.repo}` : ''} since ${dateTime(wait.since)}`) : null,
      h('dl', { class: 'fields' },
        ...field('Id', h('code', null, task.id)),
        ...field('Status', h('span', { class: `status s-${task.status}` }, task.status.replace('_', ' '))),
        ...field('Lane', laneNames[task.priority] ?? String(task.priority)),
        ...field('Agent', task.assigned_to ?? '—'),
        ...field('Generation', String(task.generation)),
        ...field('Retries', `${task.retry_count} of ${task.max_retries}${task.status === 'delayed' && task.retry_count > 0 ? ` · ${statusText(task, Date.now())}` : ''}`),
        ...field('Capabilities', task.needed_capabilities.join(', ') || 'any'),
        ...field('Created', dateTime(task.created_at)),
        ...field('Updated', dateTime(task.updated_at)),
        ...(task.complete_by ? field('Due', dateTime(task.complete_by)) : []),
        ...(task.last_error ? field('Last error', h('span', { class: 'error' }, task.last_error)) : []),
        ...(task.tokens_used !== null ? field('Tokens', String(task.tokens_used)) : []),
        ...(prUrl ? field('Pull request', h('a', { href: prUrl, target: '_blank', rel: 'noopener' }, prUrl)) : []),
        ...(where.branch ? field('Branch', where.compareUrl
          ? h('a', { href: where.compareUrl, target: '_blank', rel: 'noopener', 'data-field': 'branch' }, where.branch)
          : h('code', { 'data-field': 'branch' }, where.branch)) : []),
        ...(where.commit ? field('Commit', h('code', null, where.commit.slice(0, 12))) : []),
        ...(task.paths?.length ? field('Paths', h('code', { 'data-field': 'paths' }, task.paths.join('  '))) : []),
        ...(task.leases?.length ? field('Leases held', h('ul', { class: 'leases', 'data-field': 'leases' },
          ...task.leases.map((lease) => h('li', null, h('code', null, lease.paths.join('  ')), lease.lease_id.startsWith('task:') ? ' (its paths)' : ` (${lease.lease_id})`)))) : []),
      ),
      hasWorkflow(task) ? workflowLinks(task, (id) => open(id)) : null,
      h('h3', null, 'History'),
      h('ol', { class: 'timeline', 'aria-label': 'Task history, newest first' },
        ...task.history.map((entry) => h('li', { 'data-event': entry.event },
          h('span', { class: 'when' }, dateTime(entry.timestamp)),
          h('strong', null, entry.event),
          Object.keys(entry.details).length ? h('code', { class: 'details' }, JSON.stringify(entry.details)) : null))),
      Object.keys(task.metadata).length ? h('details', null, h('summary', null, 'Metadata'), h('pre', null, JSON.stringify(task.metadata, null, 2))) : null,
    );
  };

  /** The lane picker of a task that has not started: moving it re-sorts it in the queue at once. */
  const laneSelect = (task: Task) => {
    const select = h('select', { 'aria-label': 'Lane', 'data-action': 'lane' },
      ...laneNames.map((name, index) => h('option', { value: String(index), ...(index === task.priority ? { selected: 'selected' } : {}) }, name))) as HTMLSelectElement;
    const move = h('button', { type: 'button', 'data-action': 'reprioritise', onclick: () => void reprioritise(task, Number(select.value)) }, 'Move to lane');
    return h('span', { class: 'lane-move' }, select, move);
  };

  const reprioritise = async (task: Task, priority: number) => {
    try {
      await api.reprioritise(task.id, priority);
    } catch (error) {
      body.prepend(h('p', { class: 'error', role: 'alert' }, `Could not move: ${(error as Error).message}`));
    }
    void load(task.id);
  };

  // From a workflow link the drawer is already open: keep the element that first opened it.
  const open = (taskId: string) => {
    if (current === null) opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    current = taskId;
    title.textContent = `Task ${shortId(taskId)}`;
    body.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    drawer.hidden = false;
    scrim.hidden = false;
    close.focus();
    void load(taskId);
  };

  const cancelTask = async (task: Task) => {
    if (!window.confirm(`Cancel task ${shortId(task.id)}?${task.status === 'assigned' ? ' Its agent is stopped.' : ''}`)) return;
    try {
      await api.cancel(task.id);
    } catch (error) {
      body.prepend(h('p', { class: 'error', role: 'alert' }, `Could not cancel: ${(error as Error).message}`));
    }
    void load(task.id);
  };

  return {
    get taskId() {
      return current;
    },
    open,
    refresh(taskId) {
      if (current === taskId) void load(taskId);
    },
  };
}

/** Where the work is: the branch, its commit and a compare link (http only), from the result. */
export function whereOf(task: Task): { branch: string | null; commit: string | null; compareUrl: string | null } {
  const result = (task.result && typeof task.result === 'object' ? task.result : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const compare = text(result.compare_url);
  return { branch: text(result.branch), commit: text(result.commit), compareUrl: compare && /^https?:\/\//.test(compare) ? compare : null };
}

/** The git workflow puts the pull request's address in the result. */
export function prOf(task: Task): string | null {
  const result = task.result as { pr_url?: unknown } | null;
  const url = result && typeof result === 'object' ? result.pr_url : null;
  return typeof url === 'string' && /^https?:\/\//.test(url) ? url : null;
}
