// The workflow around one task, for the drawer: its dependencies and dependents as
// links, and a small graph of the whole workflow (up to `maxNodes` tasks reached by
// following edges both ways), each node coloured by its status. Layered left to right:
// a task sits one column right of its deepest dependency.
import type { HubApi } from './api.ts';
import { h } from './dom.ts';
import { shortId } from './format.ts';
import type { TaskDetail, TaskLink } from './types.ts';

const maxNodes = 40;
const svgNs = 'http://www.w3.org/2000/svg';
const column = { width: 132, gap: 28 };
const row = { height: 30, gap: 10 };

export function hasWorkflow(task: TaskDetail): boolean {
  return (task.dependencies?.length ?? 0) > 0 || (task.dependents?.length ?? 0) > 0;
}

/** Dependencies and dependents as lists of links that open the drawer on that task. */
export function workflowLinks(task: TaskDetail, openTask: (taskId: string) => void): HTMLElement {
  const list = (title: string, links: readonly TaskLink[]) => links.length === 0 ? null : h('div', { class: 'wf-links' },
    h('h4', null, title),
    h('ul', null, ...links.map((link) => h('li', null,
      h('button', { type: 'button', class: 'link', 'data-task': link.task_id, onclick: () => openTask(link.task_id) }, shortId(link.task_id)),
      ' ', h('span', { class: `status s-${link.status}` }, link.status.replace('_', ' '))))));
  return h('section', { class: 'workflow', 'aria-label': 'Workflow' },
    list('Depends on', task.dependencies ?? []),
    list('Needed by', task.dependents ?? []),
    task.waiting_for ? h('p', { class: 'muted' }, `Waiting for ${task.waiting_for} more`) : null);
}

/** Fetches the workflow around `start` and draws it into `into` (replacing its content). */
export async function drawWorkflowGraph(api: HubApi, start: TaskDetail, into: HTMLElement, openTask: (taskId: string) => void): Promise<void> {
  const nodes = new Map<string, TaskDetail>([[start.id, start]]);
  const queue = [start];
  while (queue.length > 0 && nodes.size < maxNodes) {
    const task = queue.shift()!;
    for (const link of [...(task.dependencies ?? []), ...(task.dependents ?? [])]) {
      if (nodes.has(link.task_id) || nodes.size >= maxNodes) continue;
      try {
        const next = await api.task(link.task_id);
        nodes.set(next.id, next);
        queue.push(next);
      } catch {
        // Purged or unreadable: the edge still shows, the node does not.
      }
    }
  }
  const layer = new Map<string, number>();
  const layerOf = (id: string, seen = new Set<string>()): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const deps = (nodes.get(id)?.depends_on ?? []).filter((dep) => nodes.has(dep));
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => layerOf(dep, seen)));
    layer.set(id, value);
    return value;
  };
  const columns: string[][] = [];
  for (const id of nodes.keys()) (columns[layerOf(id)] ??= []).push(id);
  const position = new Map<string, { x: number; y: number }>();
  columns.forEach((ids, x) => ids.forEach((id, y) => position.set(id, {
    x: x * (column.width + column.gap), y: y * (row.height + row.gap),
  })));
  const width = columns.length * (column.width + column.gap) - column.gap;
  const height = Math.max(...columns.map((ids) => ids.length)) * (row.height + row.gap) - row.gap;

  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', `-2 -2 ${width + 4} ${height + 4}`);
  svg.setAttribute('width', String(width + 4));
  svg.setAttribute('class', 'wf-graph');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Workflow of ${nodes.size} tasks`);
  const el = (tag: string, attrs: Record<string, string | number>) => {
    const node = document.createElementNS(svgNs, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    return node;
  };
  for (const [id, task] of nodes) {
    for (const dep of task.depends_on ?? []) {
      const from = position.get(dep);
      const to = position.get(id);
      if (!from || !to) continue;
      svg.append(el('line', { class: 'wf-edge', x1: from.x + column.width, y1: from.y + row.height / 2, x2: to.x, y2: to.y + row.height / 2 }));
    }
  }
  for (const [id, task] of nodes) {
    const at = position.get(id)!;
    const group = el('g', { class: `wf-node s-${task.status}${id === start.id ? ' wf-current' : ''}`, 'data-task': id, 'data-status': task.status, tabindex: 0 });
    group.append(el('rect', { x: at.x, y: at.y, width: column.width, height: row.height, rx: 6 }));
    const label = el('text', { x: at.x + 8, y: at.y + row.height / 2 + 4 });
    label.textContent = `${shortId(id)} · ${task.status.replace('_', ' ')}`;
    const title = el('title', {});
    title.textContent = task.description;
    group.append(label, title);
    group.addEventListener('click', () => openTask(id));
    group.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') openTask(id);
    });
    svg.append(group);
  }
  into.replaceChildren(h('h3', null, 'Workflow'), h('div', { class: 'wf-scroll' }, svg as unknown as HTMLElement));
}
