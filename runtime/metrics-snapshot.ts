// GET /api/metrics: the reference's §9 snapshot, recomputed every 10 s from the
// OpenTelemetry recordings (runtime/metrics-snapshot-builder.ts). Its shape is the wire
// schema's (web/protocol/metrics-snapshot.ts), declared once there.
export type {
  AgentUtilisation, ErrorRates, LatencyWindow, MetricsSnapshot,
} from '../web/protocol/metrics-snapshot.ts';
