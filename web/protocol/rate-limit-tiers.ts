// Part of the wire protocol (a leaf, so the sidecar may import it). The reference's action tiers (§8): which WS message and which HTTP route costs a
// token from which bucket, and the default capacity and refill of each bucket.

export type Tier = 'light' | 'normal' | 'heavy';
export type Channel = 'ws' | 'http';

export interface TierLimit {
  capacity: number;
  refill_rate_per_min: number;
}

export type TierLimits = Record<Tier, TierLimit>;

export const tiers: readonly Tier[] = ['light', 'normal', 'heavy'];

export const defaultTierLimits: Readonly<TierLimits> = {
  light: { capacity: 120, refill_rate_per_min: 120 },
  normal: { capacity: 60, refill_rate_per_min: 60 },
  heavy: { capacity: 10, refill_rate_per_min: 10 },
};

const lightWsTypes: ReadonlySet<string> = new Set(['ping', 'list_agents', 'list_channels', 'status', 'channel_history']);

/** Tier of an agent-socket frame; a socket's first identify is free, later ones are heavy. Unknown types are normal. */
export function wsTierOf(type: string): Tier {
  if (type === 'identify') return 'heavy';
  return lightWsTypes.has(type) ? 'light' : 'normal';
}

/** Tier of each rate-limited HTTP route, keyed `METHOD path` as the routes declare them; other routes are not limited. */
const httpTierByRoute: Readonly<Record<string, Tier>> = {
  'GET /api/agents': 'light',
  'GET /api/channels': 'light',
  'GET /api/tasks': 'light',
  'GET /api/metrics': 'light',
  'POST /api/message': 'normal',
  'POST /api/channels/:ch/publish': 'normal',
  'POST /api/channels/:ch/subscribe': 'normal',
  'POST /api/channels/:ch/unsubscribe': 'normal',
  'GET /api/channels/:ch': 'normal',
  'GET /api/tasks/:id': 'normal',
  'POST /api/tasks/:id/retry': 'normal',
  'POST /api/tasks/:id/cancel': 'normal',
  'PATCH /api/tasks/:id': 'normal',
  'GET /api/channels/:ch/history': 'light',
  'POST /api/tasks': 'heavy',
  'POST /api/channels': 'heavy',
  'POST /api/admin/push-task': 'heavy',
  'POST /api/onboard/register': 'heavy',
};

export function httpTierOf(method: string, path: string): Tier | null {
  return httpTierByRoute[`${method} ${path}`] ?? null;
}
