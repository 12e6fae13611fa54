// Records every route and socket handler registered on a uWS app, to register them again.
//
// uWS gives each TLS server name (SNI) its own router, empty at first (web/tls-certificate-swap.ts).
// Handing the server code a recording view of the app lets that router get exactly the
// app's routes, in order, whoever added them, with the same handlers and so the same state.
import type { TemplatedApp } from 'uWebSockets.js';

const routeMethods = new Set(['get', 'post', 'options', 'del', 'patch', 'put', 'head', 'connect', 'trace', 'any', 'ws']);

export interface RecordedApp {
  /** Use like the app; route registrations are recorded on their way through. */
  app: TemplatedApp;
  /** Registers every recorded route again on the app's current router (`app.domain(name)` picks it). */
  replay(): void;
}

export function recordRoutes(target: TemplatedApp): RecordedApp {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  // Made once per method: publish goes through here on the hot path.
  const methods = new Map<PropertyKey, unknown>();
  const app: TemplatedApp = new Proxy(target, {
    get(object, property) {
      const known = methods.get(property);
      if (known) return known;
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      const native = value as (...a: unknown[]) => unknown;
      const method = typeof property === 'string' && routeMethods.has(property)
        ? (...args: unknown[]) => {
          calls.push({ method: property, args });
          native.apply(object, args);
          return app;
        }
        // Native methods need the real app as `this`.
        : native.bind(object);
      methods.set(property, method);
      return method;
    },
  });
  return {
    app,
    replay() {
      for (const { method, args } of calls) (Reflect.get(target, method) as (...a: unknown[]) => unknown).apply(target, args);
    },
  };
}
