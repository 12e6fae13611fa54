// The dashboard page: wires the feed, the API and the views together.
import './styles.css';
import { HubApi } from './api.ts';
import { agentsView } from './agents-view.ts';
import { alertsView } from './alerts-view.ts';
import { rateLimitsView } from './rate-limits-view.ts';
import { providersView } from './providers-view.ts';
import { chartsView } from './charts-view.ts';
import { completionsView } from './completions-view.ts';
import { deadLettersView } from './dead-letters-view.ts';
import { byId } from './dom.ts';
import { drawerView } from './drawer-view.ts';
import { DashboardFeed, type FeedState } from './feed.ts';
import { headerView } from './header-view.ts';
import { lanesView } from './lanes-view.ts';
import { notifier, registerWorker } from './notifications.ts';
import { Refresher, type RefreshKind } from './refresher.ts';
import { DashboardStore } from './store.ts';
import { storageView } from './storage-view.ts';
import { tasksView } from './tasks-view.ts';
import { schedulesView } from './schedules-view.ts';
import { approvalsView } from './approvals-view.ts';
import { adoptToken, forgetToken, saveToken } from './token.ts';
import type { AgentView, HubEvent } from './types.ts';

/** How often the page re-reads the full snapshot anyway, for fields no event carries (last heartbeat). */
const snapshotEveryMs = 30_000;
const refreshEveryMs = 500;

let token = adoptToken();
const store = new DashboardStore();
const api = new HubApi(() => token, () => askForToken('The hub refused the saved token.'));

const toastBox = byId('toast');
let toastTimer: number | undefined;
function toast(text: string): void {
  toastBox.textContent = text;
  toastBox.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => toastBox.classList.remove('show'), 3500);
}

const drawer = drawerView(api);
const openTask = (id: string) => drawer.open(id);
headerView(store);
agentsView(store, openTask, (id) => api.unblockAgent(id).then(() => toast(`Unblocked ${id}`), (error: Error) => toast(`Unblock failed: ${error.message}`)));
const tasks = tasksView(store, api, openTask);
lanesView(store, (lane) => tasks.showLane(lane));
chartsView(store);
completionsView(store, openTask);
const feed = new DashboardFeed(() => token, {
  snapshot(data, alerts) {
    store.applySnapshot(data, alerts);
    tasks.reload();
    if (drawer.taskId) drawer.refresh(drawer.taskId);
  },
  events: onEvents,
  reply: onReply,
  state: onFeedState,
});
const deadLetters = deadLettersView(store, api, {
  retryOverFeed: (taskId) => feed.send({ type: 'retry_task', task_id: taskId }),
  toast,
}, openTask);
alertsView(store, (ruleId) => {
  const sent = feed.send({ type: 'acknowledge_alert', rule_id: ruleId });
  if (!sent) toast('Not connected: try again when the feed is back.');
  return sent;
});
schedulesView(api, toast);
const approvals = approvalsView(api, toast, openTask);
/** task_event names that add a task to the approvals inbox or take one out of it. */
const approvalTaskEvents = new Set(['awaiting_approval', 'approved', 'rejected', 'cancelled']);
rateLimitsView(store);
providersView(store);
const notify = notifier(registerWorker());
storageView(store, api, toast);
/** Storage events carry no health figures: a fresh snapshot brings them. */
const storageEvents = new Set(['backup_complete', 'backup_failed', 'compaction_complete', 'compaction_failed', 'recovery_complete', 'recovery_failed']);

const refresher = new Refresher(refreshEveryMs, async (kinds) => {
  const jobs: Array<Promise<void>> = [];
  if (kinds.has('stats')) jobs.push(api.stats().then((stats) => {
    store.queue = stats;
    store.changed('queue', 'header', 'deadLetters');
  }));
  if (kinds.has('deadLetters')) jobs.push(api.deadLetters(50).then((page) => {
    store.deadLetters = page.tasks;
    store.changed('deadLetters');
  }));
  if (kinds.has('completions')) jobs.push(api.tasks({ status: 'completed' }, 20, null).then((page) => {
    store.completions = page.tasks;
    store.changed('completions');
  }));
  if (kinds.has('tasks')) tasks.reload();
  for (const kind of kinds) if (kind.startsWith('task:')) drawer.refresh(kind.slice(5));
  await Promise.allSettled(jobs);
});

function onEvents(events: HubEvent[]): void {
  const agentsBefore: ReadonlyMap<string, AgentView> = new Map(store.agents);
  const kinds = new Set<RefreshKind>();
  for (const event of events) {
    store.applyEvent(event);
    if (storageEvents.has(event.type)) feed.send({ type: 'request_snapshot' });
    if (event.type === 'approval_event' || (event.type === 'task_event' && approvalTaskEvents.has(event.event))) approvals.reload();
    if (event.type !== 'task_event') continue;
    kinds.add('stats');
    kinds.add('tasks');
    if (event.event === 'dead_letter' || event.event === 'requeued') kinds.add('deadLetters');
    if (event.event === 'completed') kinds.add('completions');
    if (drawer.taskId === event.task_id) kinds.add(`task:${event.task_id}`);
  }
  if (kinds.size) refresher.mark(...kinds);
  notify.notice(events, agentsBefore);
}

function onReply(frame: Record<string, unknown>): void {
  if (frame.type === 'retry_result') {
    deadLetters.retryAnswered(String(frame.task_id), String(frame.status));
    refresher.mark('deadLetters', 'stats');
  } else if (frame.type === 'alert_ack_result') {
    toast(`Alert ${String(frame.rule_id)}: ${String(frame.status ?? 'acknowledged')}`);
  } else if (frame.type === 'error') {
    toast(`The hub answered: ${String(frame.error)}${frame.message_type ? ` (${String(frame.message_type)})` : ''}`);
  }
}

const banner = byId('banner');
function onFeedState(state: FeedState, detail?: string): void {
  document.body.dataset.feed = state;
  banner.hidden = state === 'live';
  banner.className = `banner ${state}`;
  banner.textContent = state === 'connecting' ? 'Connecting to the hub…'
    : state === 'reconnecting' ? 'Reconnecting… the figures below are from before the connection dropped.'
    : state === 'unauthorized' ? `The hub refused the admin token${detail ? ` (${detail})` : ''}.` : '';
  if (state === 'unauthorized') askForToken('The hub refused this token.');
}

const dialog = byId<HTMLDialogElement>('token-dialog');
const tokenInput = byId<HTMLInputElement>('token-input');
function askForToken(reason?: string): void {
  feed.stop();
  forgetToken();
  token = null;
  byId('token-error').textContent = reason ?? '';
  if (!dialog.open) dialog.showModal();
  tokenInput.focus();
}
byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
  const value = tokenInput.value.trim();
  if (!value) {
    event.preventDefault();
    return;
  }
  token = value;
  saveToken(value);
  tokenInput.value = '';
  feed.start();
});
dialog.addEventListener('cancel', (event) => event.preventDefault());

setInterval(() => {
  if (!feed.send({ type: 'request_snapshot' })) return;
}, snapshotEveryMs);

if (token) feed.start();
else askForToken();
