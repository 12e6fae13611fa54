// What the transport needs for metrics and alerts: runtime/ implements it (the
// OpenTelemetry recorder, the metrics snapshot and the alerter) and hands it in at boot.
import type { AlertThresholds } from '../storage/domain/alert-thresholds.ts';
import type { Result } from '../storage/domain/errors.ts';
import type { WebTelemetry } from './web-telemetry.ts';
import type { MetricsReply } from './protocol/metrics-snapshot.ts';
import type { AlertThresholdsBody } from './protocol/observability-bodies.ts';

/** An alert as GET /api/alerts and the dashboard show it (reference §9). */
export interface AlertView {
  rule_id: string;
  severity: 'warning' | 'critical';
  message: string;
  details: Record<string, unknown>;
  fired_at: number;
  acknowledged: boolean;
}

export interface ObservabilityPort {
  telemetry: WebTelemetry;
  /** GET /metrics without a token. */
  metricsPublic: boolean;
  /** One collection in the Prometheus text exposition format. */
  prometheusText(): Promise<string>;
  /** The newest /api/metrics snapshot (reference §9), recomputed every 10 s. */
  metricsSnapshot(): MetricsReply;
  activeAlerts(): AlertView[];
  acknowledgeAlert(ruleId: string): Promise<Result<AlertView>>;
  alertThresholds(): AlertThresholds;
  setAlertThresholds(thresholds: AlertThresholdsBody): Promise<Result<AlertThresholds>>;
  heartbeatIntervalMs(): number;
  setHeartbeatIntervalMs(ms: number): Promise<Result<number>>;
}
