// GET /health: open, cheap, and what a load balancer polls.
import { connected } from './agents.ts';
import { typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';
import { healthReasonOf, storageFaultReasons } from './storage-fault-reason.ts';

export function healthRoutes({ hub: { about, dashboard, sessions, storage } }: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/health', auth: 'none',
      handle: () => {
        // Degraded still answers 200: reads work, and a load balancer should keep the hub.
        // Reasons are a list: each storage concern (disk full, recovery, failed backup…) adds its own.
        const reasons = [...storageFaultReasons(dashboard), ...(storage?.degradedReasons() ?? []).map(healthReasonOf)];
        return typedReply('health', 200, {
          status: reasons.length > 0 ? 'degraded' : 'ok', service: 'agent_com', agents_connected: connected(sessions.listAgents()).length,
          version: about.version, uptime_ms: Date.now() - about.startedAt, reasons,
        });
      },
    },
  ];
}
