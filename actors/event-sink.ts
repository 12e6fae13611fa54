// Where actors report what happened; runtime/hub-events.ts implements it.
import type { LifecycleEvents } from './lifecycle-events.ts';

export interface EventSink {
  emit<K extends keyof LifecycleEvents>(type: K, at: number, fields: LifecycleEvents[K]): void;
}
