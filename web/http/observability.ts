// Metrics and alerts over HTTP: GET /metrics (Prometheus), GET /api/metrics (reference
// §9 snapshot), the alert list and acknowledgement, and the alert and heartbeat settings.
import type { ObservabilityPort } from '../observability-port.ts';
import { failureReply, typedReply } from './reply.ts';
import type { Route } from './route.ts';

/** The Prometheus text exposition format, version 0.0.4. */
const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

export function observabilityRoutes(port: ObservabilityPort): Route[] {
  return [
    {
      // An admin token unless the operator made it public (metrics_public): metric labels name agents.
      method: 'GET', path: '/metrics', auth: port.metricsPublic ? 'none' : 'admin',
      handle: async () => ({ status: 200, text: { body: await port.prometheusText(), contentType: prometheusContentType } }),
    },
    {
      method: 'GET', path: '/api/metrics', auth: 'none',
      handle: () => typedReply('metrics', 200, port.metricsSnapshot()),
    },
    {
      method: 'GET', path: '/api/alerts', auth: 'none',
      handle: () => typedReply('alert_list', 200, { alerts: port.activeAlerts(), timestamp: Date.now() }),
    },
    {
      method: 'POST', path: '/api/alerts/:rule_id/acknowledge', auth: 'admin',
      async handle({ params }) {
        const acknowledged = await port.acknowledgeAlert(params.rule_id!);
        return acknowledged.ok
          ? typedReply('alert_acknowledged', 200, { status: 'acknowledged', rule_id: params.rule_id! })
          : failureReply(acknowledged, { rule_id: params.rule_id! });
      },
    },
    {
      method: 'GET', path: '/api/config/alert-thresholds', auth: 'agent',
      handle: () => typedReply('alert_thresholds', 200, port.alertThresholds()),
    },
    {
      method: 'PUT', path: '/api/config/alert-thresholds', auth: 'admin', body: 'alert_thresholds',
      async handle({ body }) {
        const set = await port.setAlertThresholds(body);
        return set.ok ? typedReply('alert_thresholds_updated', 200, { status: 'updated', effective: 'next_check_cycle', thresholds: set.value }) : failureReply(set);
      },
    },
    {
      method: 'GET', path: '/api/config/heartbeat-interval', auth: 'agent', queryToken: true,
      handle: () => typedReply('heartbeat_interval', 200, { heartbeat_interval_ms: port.heartbeatIntervalMs() }),
    },
    {
      method: 'PUT', path: '/api/config/heartbeat-interval', auth: 'admin', body: 'heartbeat_interval',
      async handle({ body }) {
        const set = await port.setHeartbeatIntervalMs(body.heartbeat_interval_ms);
        return set.ok ? typedReply('heartbeat_interval', 200, { heartbeat_interval_ms: set.value, status: 'updated' }) : failureReply(set);
      },
    },
  ];
}
