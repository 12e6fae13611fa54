// What the page knows: only what the hub sent (snapshot, events, API replies).
// Views subscribe to topics and are redrawn at most once per animation frame.
import type { AgentView, Alert, DashboardSnapshot, HubEvent, MetricsSample, QueueStats, RateLimited, Task } from './types.ts';

export type Topic = 'header' | 'agents' | 'queue' | 'deadLetters' | 'completions' | 'series' | 'alerts' | 'tasks' | 'connection' | 'storage' | 'rateLimits';

export const seriesCapacity = 360;

export class DashboardStore {
  snapshot: DashboardSnapshot | null = null;
  agents = new Map<string, AgentView>();
  queue: QueueStats | null = null;
  deadLetters: Task[] = [];
  completions: Task[] = [];
  series: MetricsSample[] = [];
  alerts = new Map<string, Alert>();
  /** Who was rate limited in the last minute, by bucket key. */
  rateLimited = new Map<string, RateLimited>();
  /** Hub clock minus page clock, from the last snapshot, so "for how long" uses the hub's time. */
  private clockOffsetMs = 0;
  /** Page time when the last snapshot arrived, for the running uptime. */
  private snapshotAt = 0;

  private readonly listeners = new Map<Topic, Set<() => void>>();
  private readonly dirty = new Set<Topic>();
  private frame: number | null = null;

  hubNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  uptimeMs(): number | null {
    return this.snapshot ? this.snapshot.uptime_ms + (Date.now() - this.snapshotAt) : null;
  }

  on(topic: Topic, listener: () => void): void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
  }

  changed(...topics: Topic[]): void {
    for (const topic of topics) this.dirty.add(topic);
    this.frame ??= requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = null;
    const topics = [...this.dirty];
    this.dirty.clear();
    for (const topic of topics) for (const listener of this.listeners.get(topic) ?? []) listener();
  }

  applySnapshot(data: DashboardSnapshot, alerts: Alert[] | undefined): void {
    this.snapshot = data;
    this.snapshotAt = Date.now();
    this.clockOffsetMs = data.timestamp - this.snapshotAt;
    this.agents = new Map(data.agents.map((agent) => [agent.agent_id, agent]));
    this.queue = data.queue;
    this.deadLetters = data.dead_letter_tasks;
    this.completions = data.recent_completions;
    this.series = data.series.slice(-seriesCapacity);
    this.alerts = new Map((alerts ?? data.active_alerts ?? []).map((alert) => [alert.rule_id, alert]));
    this.rateLimited = new Map((data.rate_limits?.limited ?? []).map((entry) => [entry.key, entry]));
    this.changed('header', 'agents', 'queue', 'deadLetters', 'completions', 'series', 'alerts', 'tasks', 'storage', 'rateLimits');
  }

  /** Applies one hub event; returns what it changed so the page can refresh derived views. */
  applyEvent(event: HubEvent): void {
    switch (event.type) {
      case 'agent_joined':
      case 'status_changed': {
        const view = event.agent;
        // On a cluster, this hub's own agents' events carry no hub: they are on this one.
        const hubName = this.snapshot?.hub_name;
        const agent = view.hub || !hubName ? view : { ...view, hub: hubName };
        this.agents.set(agent.agent_id, agent);
        this.changed('agents', 'header');
        break;
      }
      case 'task_event': {
        // Fleet control: a stalled task flags its agent's card until the agent's next state change.
        const agent = event.event === 'no_progress' ? (event.agent_id === null ? undefined : this.agents.get(event.agent_id)) : undefined;
        if (agent && agent.current_task_id === event.task_id) {
          this.agents.set(agent.agent_id, { ...agent, no_progress_since: event.timestamp - (event.since_ms ?? 0) });
          this.changed('agents');
        }
        break;
      }
      case 'agent_removed': {
        this.agents.delete(event.agent_id);
        this.changed('agents', 'header');
        break;
      }
      case 'metrics_snapshot': {
        this.series.push(event.sample);
        if (this.series.length > seriesCapacity) this.series.shift();
        this.changed('series', 'header');
        break;
      }
      case 'alert_fired': {
        const { type: _type, timestamp: _at, ...alert } = event;
        this.alerts.set(alert.rule_id, alert);
        this.changed('alerts', 'header');
        break;
      }
      case 'rate_limited': {
        const key = event.key;
        const earlier = this.rateLimited.get(key);
        this.rateLimited.set(key, {
          key, agent_id: event.agent_id, tier: event.tier, channel: event.channel,
          retry_after_ms: event.retry_after_ms, denied_at: event.timestamp, denials: (earlier?.denials ?? 0) + 1,
        });
        this.changed('rateLimits');
        break;
      }
      case 'alert_cleared': {
        this.alerts.delete(event.rule_id);
        this.changed('alerts', 'header');
        break;
      }
      case 'alert_acknowledged': {
        const alert = this.alerts.get(event.rule_id);
        if (alert) this.alerts.set(alert.rule_id, { ...alert, acknowledged: true });
        this.changed('alerts', 'header');
        break;
      }
    }
  }
}
