// The storage write fault as a /health reason: why the hub is degraded, and since when.
import type { DashboardPort } from '../ports/dashboard-port.ts';
import type { HealthReason } from '../protocol/health.ts';

export type { HealthReason };

export function storageFaultReasons(dashboard: DashboardPort): HealthReason[] {
  const fault = dashboard.storageWriteFault();
  if (!fault) return [];
  return [{ reason: fault.kind === 'full' ? 'storage_full' : 'storage_write_failed', detail: fault.detail, since: fault.at }];
}

/** A storage-operations reason ("code: detail", runtime/storage-ops.ts) in the same shape. */
export function healthReasonOf(text: string): HealthReason {
  const colon = text.indexOf(': ');
  return colon < 0 ? { reason: text } : { reason: text.slice(0, colon), detail: text.slice(colon + 2) };
}
