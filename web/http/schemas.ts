// GET /api/schemas: every wire schema, straight from the registry the validator compiled.
import { dashboardMessageSchemas, httpSchemas, protocolVersion, wsMessageSchemas } from '../protocol/index.ts';
import { reply } from './reply.ts';
import type { Route } from './route.ts';

export function schemaRoutes(): Route[] {
  const body = {
    schemas: { websocket: wsMessageSchemas, dashboard: dashboardMessageSchemas, http: httpSchemas, version: protocolVersion },
    version: protocolVersion,
  };
  return [{ method: 'GET', path: '/api/schemas', auth: 'none', handle: () => reply(200, body) }];
}
