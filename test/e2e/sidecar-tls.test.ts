// A real sidecar process against a hub serving wss with a certificate from a private
// CA: with ca_file it connects and completes a task; without it, it refuses the hub.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { httpsCall } from '../support/https-call.ts';
import { SidecarFleet, waitFor } from '../support/sidecar-fleet.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { TestCa } from '../support/test-pki.ts';

describe('sidecar over wss', function () {
  this.timeout(120_000);

  let dir: TempDir;
  let ca: TestCa;
  let hub: TestHub;
  let fleet: SidecarFleet;
  let trusted: { ca: Buffer; servername: string };

  before(async () => {
    dir = makeTempDir('sidecar-tls');
    ca = new TestCa(dir.path, 'fleet');
    const server = ca.issueServer('hub');
    hub = await startTestHub({ tls_cert: server.cert, tls_key: server.key, acceptance_timeout_ms: 5_000 });
    trusted = { ca: readFileSync(ca.cert), servername: 'localhost' };
    // An https address: the sidecar derives wss://localhost:port/ws from it.
    fleet = new SidecarFleet(dir.path, { url: `https://localhost:${hub.port}`, wsUrl: `https://localhost:${hub.port}` });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(fleet.outputs());
  });

  after(async () => {
    await fleet.stopAll();
    await hub.stop();
    dir.remove();
  });

  async function register(agentId: string): Promise<string> {
    const registered = await httpsCall(hub.port, 'POST', '/api/onboard/register', trusted, { body: { agent_id: agentId } });
    expect(registered.status).to.equal(201);
    return registered.body.token as string;
  }

  function withSettings(configPath: string, settings: Record<string, unknown>): string {
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), ...settings }, null, 2));
    return configPath;
  }

  async function agentState(agentId: string): Promise<string | undefined> {
    const answer = await httpsCall(hub.port, 'GET', `/api/agents/${agentId}/state`, trusted, { token: hub.adminToken });
    return answer.body?.fsm_state as string | undefined;
  }

  it('with ca_file connects and completes a task', async () => {
    const agentId = 'tls-sidecar';
    const configPath = withSettings(fleet.writeConfig(agentId, await register(agentId)), { ca_file: ca.cert });
    fleet.start(agentId, configPath);
    await waitFor(async () => (await agentState(agentId)) === 'idle', 60_000, 'the sidecar to identify over wss', 200);

    const submitted = await httpsCall(hub.port, 'POST', '/api/tasks', trusted, { token: hub.adminToken, body: { description: 'over TLS', metadata: { work_ms: 100 } } });
    expect(submitted.status).to.equal(201);
    const taskId = submitted.body.task_id as string;
    await waitFor(async () => {
      const task = await httpsCall(hub.port, 'GET', `/api/tasks/${taskId}`, trusted, { token: hub.adminToken });
      return task.body.status === 'completed';
    }, 60_000, 'the task to complete', 200);
    const task = await httpsCall(hub.port, 'GET', `/api/tasks/${taskId}`, trusted, { token: hub.adminToken });
    expect(task.body.assigned_to ?? task.body.completed_by ?? agentId).to.equal(agentId);
    expect(task.body.result.output).to.equal(`done by ${agentId}`);
  });

  it('without ca_file refuses the hub certificate and never identifies', async () => {
    const agentId = 'tls-doubter';
    const sidecar = fleet.start(agentId, fleet.writeConfig(agentId, await register(agentId)));
    await waitFor(() => sidecar.output.includes('AC_ERR_TLS_UNTRUSTED'), 60_000, 'the refusal in the sidecar log', 100);
    expect(sidecar.output).to.contain('hub certificate refused').and.to.contain('ca_file');
    expect(sidecar.running, 'a refused certificate is retried, not fatal').to.equal(true);
    expect(await agentState(agentId)).to.not.equal('idle');
  });

  it('insecure: true connects without verifying, and warns on each connect', async () => {
    const agentId = 'tls-careless';
    const sidecar = fleet.start(agentId, withSettings(fleet.writeConfig(agentId, await register(agentId)), { insecure: true }));
    await waitFor(async () => (await agentState(agentId)) === 'idle', 60_000, 'the insecure sidecar to identify', 200);
    expect(sidecar.output).to.contain('TLS certificate verification is OFF');
  });
});
