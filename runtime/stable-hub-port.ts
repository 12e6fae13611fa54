// The HubPort the transport holds: it forwards to whichever hub object is current,
// so the transport can stay up (suspended) while an online restore restarts the hub.
// What the transport registers once, it registers here: its event listeners (relayed
// from every hub in turn) and its topic fanout (handed to every new hub).
import type { Hub } from './hub.ts';
import type { HubEvent, HubPort, TopicFanout } from '../web/hub-port.ts';

export interface StableHubPort {
  port: HubPort;
  /** Called by the hub service with each new hub. */
  attach(hub: Hub): void;
}

export function stableHubPort(current: () => Hub): StableHubPort {
  const listeners = new Set<(event: HubEvent) => void>();
  let fanout: TopicFanout | null = null;
  let detach: () => void = () => {};
  const messaging = new Proxy({}, {
    get: (_shell, property) => {
      if (property === 'attachFanout') return (given: TopicFanout) => {
        fanout = given;
        current().messaging.attachFanout(given);
      };
      const target = current().messaging as unknown as Record<PropertyKey, unknown>;
      const value = target[property];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const port = new Proxy({}, {
    get: (_shell, property) => {
      if (property === 'messaging') return messaging;
      if (property === 'onEvent') return (listener: (event: HubEvent) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      };
      const target = current() as unknown as Record<PropertyKey, unknown>;
      const value = target[property];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as HubPort;
  return {
    port,
    attach(hub) {
      detach();
      detach = hub.onEvent((event) => {
        for (const listener of listeners) listener(event);
      });
      if (fanout) hub.messaging.attachFanout(fanout);
    },
  };
}
