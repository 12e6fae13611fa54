// Load-client processes for the hub scenarios (bench/workers/hub-client.ts), and how
// agents are named and spread over them.
import { startRpcChild, type RpcChild } from './child-rpc.ts';
import type { HubProcess } from './hub-process.ts';
import type { SwarmAgentSpec } from './agent-swarm.ts';
import type { HubClientMethods } from '../workers/hub-client.ts';

export type HubClient = RpcChild<HubClientMethods>;

const workerUrl = new URL('../workers/hub-client.ts', import.meta.url);

/** Most sockets one client process holds: the `ws` client spends about 1 core per ~5k busy sockets. */
export const socketsPerClientProcess = 5000;

export async function startHubClients(hub: HubProcess, count: number, label: string, maxSockets = 64): Promise<HubClient[]> {
  const clients = Array.from({ length: count }, (_, i) => startRpcChild<HubClientMethods>(workerUrl, `${label}-${i}`));
  await Promise.all(clients.map((client) => client.call('init', { url: hub.url, wsUrl: hub.wsUrl, token: hub.adminToken, maxSockets, ca: hub.ca })));
  return clients;
}

export const closeClients = (clients: HubClient[]) => Promise.all(clients.map((client) => client.close()));

export function agentSpecs(count: number, capabilitiesOf: (index: number) => string[], prefix = 'bench-agent'): SwarmAgentSpec[] {
  return Array.from({ length: count }, (_, i) => ({ agentId: `${prefix}-${i}`, capabilities: capabilitiesOf(i) }));
}

/** Splits `specs` into `parts` nearly equal slices. */
export function split<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
}
