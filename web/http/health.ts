// GET /health: open, cheap, and what a load balancer polls.
import { connected } from './agents.ts';
import { reply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function healthRoutes({ hub }: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/health', auth: 'none',
      handle: () => {
        // Reasons are a list: each storage concern (recovery, failed backup, disk full…) adds its own.
        const reasons = hub.storage?.degradedReasons() ?? [];
        return reply(200, {
          status: reasons.length > 0 ? 'degraded' : 'ok', service: 'agent_com', agents_connected: connected(hub.listAgents()).length,
          version: hub.version, uptime_ms: Date.now() - hub.startedAt, reasons,
        });
      },
    },
  ];
}
