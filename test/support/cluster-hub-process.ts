// A real hub process on a NATS cluster, for the slow cluster tests: its own temp data dir, R3
// buckets, a known admin token. The tests exercise hubs dying and nodes dying on whatever
// nats-server this machine has, and Debian's lacks the compare-and-set fix (AC_ERR_NATS_UNSAFE),
// so they opt in with allow_unsafe_nats_server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnHub, type HubProcess } from './hub-process.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

export interface ClusterHub {
  process: HubProcess;
  url: string;
  adminToken: string;
  dir: TempDir;
}

export async function startClusterHub(natsUrls: readonly string[], name: string, config: Record<string, unknown> = {}): Promise<ClusterHub> {
  const dir = makeTempDir(`hub-${name}`);
  const configFile = join(dir.path, 'config.json');
  writeFileSync(configFile, JSON.stringify({
    engine: 'jetstream', nats_servers: natsUrls, nats_replicas: 3, hub_name: name, allow_unsafe_nats_server: true,
    log_level: 'warning', rate_limits: false, ...config,
  }));
  const adminToken = `admin-${name}-0123456789abcdef`;
  const process = spawnHub(['--port', '0', '--data-dir', join(dir.path, 'data'), '-c', configFile], { AGENTCOM_ADMIN_TOKEN: adminToken });
  const { url } = await process.ready(60_000);
  return { process, url, adminToken, dir };
}

/** An admin HTTP call: the status and the parsed body (null when it is not JSON). */
export async function callClusterHub(hub: ClusterHub, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${hub.url}${path}`, {
    method, headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** Kills each hub (SIGKILL: the tests already killed some), waits for it, and removes its data dir. */
export async function stopClusterHubs(hubs: readonly ClusterHub[]): Promise<void> {
  for (const hub of hubs) {
    hub.process.kill('SIGKILL');
    await hub.process.exited();
    hub.dir.remove();
  }
}
