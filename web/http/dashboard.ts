// GET /api/dashboard/state: the snapshot the dashboard socket also pushes. Admin only
// (the reference left it open, quirk 10); `?token=` works so a browser can fetch it.
import { typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function dashboardRoutes({ hub: { dashboard } }: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/api/dashboard/state', auth: 'admin', queryToken: true,
      handle: () => typedReply('dashboard_state', 200, dashboard.dashboardState()),
    },
  ];
}
