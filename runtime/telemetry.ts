// The OpenTelemetry MeterProvider the hub records into, started and stopped as a
// supervised child of the tree. Readers: the Prometheus exporter's reader (pulled by
// GET /metrics and by the /api/metrics snapshot, never serving a port of its own) and,
// when the standard environment asks for it, a periodic OTLP/HTTP exporter.
import type { Meter } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

export interface Telemetry {
  meter: Meter;
  /** One collection from the pull reader: what /metrics serialises and the snapshot reads. */
  collect(): Promise<ResourceMetrics>;
  /** The Prometheus text exposition format of one collection. */
  prometheusText(): Promise<string>;
  /** Where OTLP goes, when it does. */
  otlpEndpoint: string | null;
  shutdown(): Promise<void>;
}

/** The standard OTEL_* variables this hub reads (others are read by the exporter itself). */
export interface TelemetryEnv {
  OTEL_METRICS_EXPORTER?: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?: string;
  OTEL_METRIC_EXPORT_INTERVAL?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_RESOURCE_ATTRIBUTES?: string;
}

export function startTelemetry(version: string, env: TelemetryEnv = process.env): Telemetry {
  const pull = new PrometheusExporter({ preventServerStart: true });
  const readers: MetricReader[] = [pull as unknown as MetricReader];
  const exporters = (env.OTEL_METRICS_EXPORTER ?? '').split(',').map((name) => name.trim());
  let otlpEndpoint: string | null = null;
  if (exporters.includes('otlp')) {
    // The exporter reads OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT, headers and timeout itself.
    const exporter = new OTLPMetricExporter();
    otlpEndpoint = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT
      ?? `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318').replace(/\/$/, '')}/v1/metrics`;
    const intervalMs = Number(env.OTEL_METRIC_EXPORT_INTERVAL) > 0 ? Number(env.OTEL_METRIC_EXPORT_INTERVAL) : 60_000;
    readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: intervalMs, exportTimeoutMillis: Math.min(30_000, intervalMs) }));
  }
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES through the SDK's own env detector, over our defaults.
  const resource = resourceFromAttributes({ 'service.name': 'agentcom', 'service.version': version })
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new MeterProvider({ resource, readers });
  const serializer = new PrometheusSerializer(undefined, false, undefined, false, true);
  const collect = async () => {
    const { resourceMetrics } = await pull.collect();
    return resourceMetrics;
  };
  return {
    meter: provider.getMeter('agentcom', version),
    collect,
    prometheusText: async () => serializer.serialize(await collect()),
    otlpEndpoint,
    shutdown: () => provider.shutdown(),
  };
}
