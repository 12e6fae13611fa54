// A real sidecar with two hubs in its hub_url list fails over from hub A (kill -9) to hub B
// with the token it registered on hub A (tokens live in the cluster's KV bucket), and
// finishes a task submitted on hub B there. Two hub processes on one nats-server node.
// Slow (processes, a real sidecar): run with `npm run test:cluster`.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { startNatsNode, type NatsNode } from '../support/nats-server.ts';
import { SidecarFleet } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

interface RunningHub {
  process: HubProcess;
  url: string;
  dir: TempDir;
}

const adminToken = 'admin-failover-0123456789abcdef';

describe('cluster: sidecar failover to another hub with the same token', function () {
  this.timeout(120_000);
  let node: NatsNode;
  const hubs: RunningHub[] = [];
  let fleetDir: TempDir;
  let fleet: SidecarFleet | null = null;

  async function startHub(name: string): Promise<RunningHub> {
    const dir = makeTempDir(`hub-${name}`);
    const config = join(dir.path, 'config.json');
    writeFileSync(config, JSON.stringify({
      engine: 'jetstream', nats_servers: [node.url], hub_name: name,
      hub_lease_ms: 1500, sweep_interval_ms: 250, log_level: 'warning', rate_limits: false,
    }));
    const process = spawnHub(['--port', '0', '--data-dir', join(dir.path, 'data'), '-c', config], { AGENTCOM_ADMIN_TOKEN: adminToken });
    const { url } = await process.ready(60_000);
    const hub = { process, url, dir };
    hubs.push(hub);
    return hub;
  }

  async function call(hub: RunningHub, method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${hub.url}${path}`, {
      method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  const agentsOn = async (hub: RunningHub) => {
    const listed = (await call(hub, 'GET', '/api/agents')).body;
    return (listed.agents ?? listed) as Array<{ agent_id: string; hub?: string; status?: string }>;
  };

  before(async () => {
    node = await startNatsNode();
    fleetDir = makeTempDir('failover-fleet');
  });

  after(async () => {
    await fleet?.stopAll();
    for (const hub of hubs) {
      hub.process.kill('SIGKILL');
      await hub.process.exited();
      hub.dir.remove();
    }
    fleetDir?.remove();
    await node?.stop();
  });

  it('moves to hub B when hub A is killed, identifies there with hub A\'s token, and completes a task submitted on B', async () => {
    const a = await startHub('hub-a');
    const b = await startHub('hub-b');
    const registered = await call(a, 'POST', '/api/onboard/register', { agent_id: 'roamer' });
    expect(registered.status).to.equal(201);

    fleet = new SidecarFleet(fleetDir.path, { url: a.url, wsUrl: `${a.url.replace(/^http/, 'ws')}/ws` });
    const configPath = fleet.writeConfig('roamer', registered.body.token);
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.hub_url = [a, b].map((hub) => `${hub.url.replace(/^http/, 'ws')}/ws`);
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    fleet.start('roamer', configPath);
    await waitFor(async () => (await agentsOn(b)).some((agent) => agent.agent_id === 'roamer' && agent.hub === 'hub-a'), 30_000, 'roamer connected on hub A');

    a.process.kill('SIGKILL');
    await a.process.exited();
    await waitFor(async () => (await agentsOn(b)).some((agent) => agent.agent_id === 'roamer' && agent.hub === 'hub-b'), 30_000, `roamer on hub B\n${fleet.outputs()}`);

    const submitted = await call(b, 'POST', '/api/tasks', { description: 'after the failover', metadata: { work_ms: 100 } });
    expect(submitted.status).to.equal(201);
    const taskId = submitted.body.task_id as string;
    await waitFor(async () => (await call(b, 'GET', `/api/tasks/${taskId}`)).body?.status === 'completed', 30_000, `task completed on hub B\n${fleet.outputs()}`);
    const task = (await call(b, 'GET', `/api/tasks/${taskId}`)).body;
    expect(task.assigned_to).to.equal('roamer');
    expect(fleet.outputs()).not.to.contain('invalid_token');
  });
});
