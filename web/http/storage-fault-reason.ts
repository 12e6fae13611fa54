// The storage write fault as a /health reason: why the hub is degraded, and since when.
import type { HubPort } from '../hub-port.ts';

export interface HealthReason {
  reason: string;
  detail: string;
  since: number;
}

export function storageFaultReasons(hub: HubPort): HealthReason[] {
  const fault = hub.storageWriteFault();
  if (!fault) return [];
  return [{ reason: fault.kind === 'full' ? 'storage_full' : 'storage_write_failed', detail: fault.detail, since: fault.at }];
}
