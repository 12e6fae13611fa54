// The hub's event stream: one ordered feed for the dashboard, logs and metrics.
import type { HubEvent } from '../web/hub-port.ts';

export class HubEvents {
  private readonly listeners = new Set<(event: HubEvent) => void>();

  emit(type: string, now: number, fields: Record<string, unknown>): void {
    if (this.listeners.size === 0) return;
    const event: HubEvent = { type, timestamp: now, ...fields };
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
