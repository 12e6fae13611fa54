// What the dashboard and /health read of the hub: its state in one object, the storage write fault, the event feed.

/** A hub event for the dashboard feed and logs; `type` is one of the reference's dashboard event types. */
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
  dashboardState(): Record<string, unknown>;
  /** The storage write fault /health reports, or null while writes succeed. */
  storageWriteFault(): StorageWriteFault | null;
  /** Every hub event, in order; returns the unsubscribe function. */
  onEvent(listener: (event: HubEvent) => void): () => void;
}
