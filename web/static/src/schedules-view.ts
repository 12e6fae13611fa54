// Recurring tasks: each schedule with its cron, time zone and next firing, and buttons to
// pause, resume or delete it. Re-read every `refreshEveryMs` and after each change.
import type { HubApi, ScheduleView } from './api.ts';
import { byId, h, keyedList } from './dom.ts';
import { dateTime } from './format.ts';

const refreshEveryMs = 15_000;

export function schedulesView(api: HubApi, toast: (text: string) => void): void {
  const list = byId('schedules');
  const render = (schedules: readonly ScheduleView[]) => {
    keyedList(list, schedules, (schedule) => schedule.id,
      (schedule) => h('li', { class: 'row', 'data-schedule': schedule.id },
        h('div', { class: 'row-main' },
          h('span', { class: 'desc' }),
          h('span', { class: 'muted when' })),
        h('div', { class: 'row-actions' },
          h('button', { type: 'button', class: 'ghost toggle', onclick: () => act(schedule.id, 'toggle') }),
          h('button', { type: 'button', class: 'ghost delete', onclick: () => act(schedule.id, 'delete') }, 'Delete'))),
      (element, schedule) => {
        element.dataset.paused = String(schedule.paused);
        element.querySelector('.desc')!.textContent = `${schedule.name ?? String(schedule.task.description ?? schedule.id)}`;
        element.querySelector('.when')!.textContent = `${schedule.cron} (${schedule.timezone}) · ${schedule.paused ? 'paused' : `next ${dateTime(schedule.next_fire_at)}`}`;
        element.querySelector('.toggle')!.textContent = schedule.paused ? 'Resume' : 'Pause';
      });
    if (schedules.length === 0) list.replaceChildren(h('li', { class: 'muted' }, 'No schedules. Create one with agentcom schedules create.'));
  };
  let current: ScheduleView[] = [];
  const load = async () => {
    try {
      current = (await api.schedules()).schedules;
      render(current);
    } catch (error) {
      list.replaceChildren(h('li', { class: 'muted' }, `Schedules unavailable: ${(error as Error).message}`));
    }
  };
  const act = async (id: string, what: 'toggle' | 'delete') => {
    const schedule = current.find((s) => s.id === id);
    try {
      if (what === 'delete') await api.deleteSchedule(id);
      else await api.setSchedulePaused(id, !schedule?.paused);
      toast(what === 'delete' ? 'Schedule deleted' : schedule?.paused ? 'Schedule resumed' : 'Schedule paused');
    } catch (error) {
      toast(`Failed: ${(error as Error).message}`);
    }
    await load();
  };
  void load();
  window.setInterval(() => void load(), refreshEveryMs);
}
