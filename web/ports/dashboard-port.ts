// What the dashboard and /health read of the hub: its state in one object, the storage write fault, the event feed.
import type { DashboardEvent } from '../protocol/dashboard-events.ts';
import type { DashboardStateFrame } from '../protocol/dashboard-snapshot.ts';

/**
 * A dashboard feed event as a reader without the schemas sees it (the page, tests); the hub
 * sends the typed DashboardEvent (web/protocol/dashboard-events.ts).
 */
export interface HubEvent {
  type: string;
  timestamp: number;
  [key: string]: unknown;
}

/** A write the store could not commit, until one succeeds again (storage/write-failure.ts). */
export interface StorageWriteFault {
  kind: 'full' | 'io';
  detail: string;
  at: number;
}

export interface DashboardPort {
  /** The dashboard's snapshot; the transport adds which uWebSockets.js build serves it. */
  dashboardState(): Omit<DashboardStateFrame, 'active_alerts'>;
  /** The storage write fault /health reports, or null while writes succeed. */
  storageWriteFault(): StorageWriteFault | null;
  /** Every hub event, in order; returns the unsubscribe function. */
  onEvent(listener: (event: DashboardEvent) => void): () => void;
}
