// GET /api/schemas: every wire schema, straight from the registries the validator and the
// serializers compiled: what clients send (websocket, dashboard, http) and, under `outbound`,
// what the hub sends back (agent and dashboard frames, the events of a dashboard batch, HTTP replies).
import {
  dashboardEventSchemasByType, dashboardMessageSchemas, dashboardOutboundSchemas, httpSchemas, protocolVersion, wsMessageSchemas,
  wsOutboundSchemas,
} from '../protocol/index.ts';
import { httpReplySchemas } from '../protocol/http-replies.ts';
import { typedReply } from './reply.ts';
import type { Route } from './route.ts';

export function schemaRoutes(): Route[] {
  const body = {
    schemas: {
      websocket: wsMessageSchemas, dashboard: dashboardMessageSchemas, http: httpSchemas, version: protocolVersion,
      outbound: { websocket: wsOutboundSchemas, dashboard: dashboardOutboundSchemas, dashboard_events: dashboardEventSchemasByType, http: httpReplySchemas },
    },
    version: protocolVersion,
  };
  return [{ method: 'GET', path: '/api/schemas', auth: 'none', handle: () => typedReply('schema_catalogue', 200, body) }];
}
