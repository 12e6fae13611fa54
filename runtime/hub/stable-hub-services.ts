// The hub services the transport holds: each role forwards to the role of whichever
// hub is current, so the transport can stay up (suspended) while an online restore
// restarts the hub. What the transport registers once, it registers here: its event
// listeners (relayed from every hub in turn) and its topic fanout (handed to every new hub).
import type { DashboardEvent } from '../../web/protocol/dashboard-events.ts';
import type { HubServices } from '../../web/ports/hub-services.ts';
import type { TopicFanout } from '../../web/ports/messaging-port.ts';
import type { Hub } from './hub.ts';

export interface StableHubServices {
  services: HubServices;
  /** The hub the services forward to now; null before the hub service first started. */
  current(): Hub | null;
  /** Called by the hub service with each new hub. */
  attach(hub: Hub): void;
}

type Role = Exclude<keyof HubServices, 'schedules' | 'storage'>;

export function stableHubServices(): StableHubServices {
  let hub: Hub | null = null;
  const listeners = new Set<(event: DashboardEvent) => void>();
  let fanout: TopicFanout | null = null;
  let detach: () => void = () => {};
  const live = (): Hub => {
    if (!hub) throw new Error('the hub service has not started');
    return hub;
  };
  /** A stand-in for one role: reads each property from the current hub's role at the time of the call. */
  // The bound functions are made once per role object and method: every report and submit calls through here.
  const forward = <T extends object>(role: () => T, own: Partial<Record<PropertyKey, unknown>> = {}): T => {
    let boundFor: object | null = null;
    let bound = new Map<PropertyKey, { value: unknown; fn: unknown }>();
    return new Proxy({}, {
      get: (_shell, property) => {
        if (property in own) return own[property];
        const target = role() as Record<PropertyKey, unknown>;
        const value = target[property];
        if (typeof value !== 'function') return value;
        if (boundFor !== target) {
          boundFor = target;
          bound = new Map();
        }
        let forwarded = bound.get(property);
        if (forwarded?.value !== value) bound.set(property, (forwarded = { value, fn: (value as (...a: unknown[]) => unknown).bind(target) }));
        return forwarded!.fn;
      },
    }) as T;
  };
  /** The current hub's events to the listeners; only while there are any, so no event becomes a frame for nobody. */
  const relay = () => {
    if (!hub) return;
    detach();
    detach = hub.dashboard.onEvent((event) => {
      for (const listener of listeners) listener(event);
    });
  };
  const role = <K extends Role>(key: K): HubServices[K] => forward(() => live()[key]);
  const services: HubServices = {
    about: role('about'),
    access: role('access'),
    sessions: role('sessions'),
    tasks: role('tasks'),
    reports: role('reports'),
    approvals: role('approvals'),
    fleet: role('fleet'),
    config: role('config'),
    rateLimiter: role('rateLimiter'),
    messaging: forward(() => live().messaging, {
      attachFanout: (given: TopicFanout) => {
        fanout = given;
        live().messaging.attachFanout(given);
      },
    }),
    dashboard: forward(() => live().dashboard, {
      onEvent: (listener: (event: DashboardEvent) => void) => {
        listeners.add(listener);
        if (listeners.size === 1) relay();
        return () => {
          listeners.delete(listener);
          if (listeners.size === 0) {
            detach();
            detach = () => {};
          }
        };
      },
    }),
    get schedules() {
      return live().schedules && forward(() => live().schedules ?? unavailable('schedules'));
    },
    get storage() {
      return live().storage;
    },
  };
  return {
    services,
    current: () => hub,
    attach(next) {
      detach();
      detach = () => {};
      hub = next;
      if (listeners.size > 0) relay();
      if (fanout) next.messaging.attachFanout(fanout);
    },
  };
}

function unavailable(role: string): never {
  throw new Error(`the current hub has no ${role}`);
}
