// kill -9 in the middle of a lease: a real hub process holds a task's lease and an extra
// lease an agent took over the socket; it is SIGKILLed right after the grant was answered.
// After a restart on the same data dir both leases are still held (the assignment is alive),
// the overlapping task still waits, and completing the task releases them and runs it.
import { expect } from 'chai';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient } from '../support/ws-client.ts';

const adminToken = 'lease-kill-test-admin-token-0123456789abcdef';

describe('fleet control: leases survive kill -9 (real hub process)', function () {
  this.timeout(90_000);
  let dir: TempDir;
  const started: HubProcess[] = [];
  const sockets: WsTestClient[] = [];

  beforeEach(() => {
    dir = makeTempDir('lease-kill');
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.socket.terminate();
    for (const hub of started.splice(0)) {
      if (hub.child.exitCode === null && hub.child.signalCode === null) hub.kill('SIGKILL');
      await hub.exited();
    }
    dir.remove();
  });

  async function start(): Promise<string> {
    const hub = spawnHub(['--port', '0', '--data-dir', dir.path], { AGENTCOM_ADMIN_TOKEN: adminToken });
    started.push(hub);
    return (await hub.ready()).url;
  }

  const call = async (url: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: await response.json() as any };
  };

  async function agent(url: string, agentId: string): Promise<WsTestClient> {
    const ws = await WsTestClient.connect(`${url.replace('http', 'ws')}/ws`);
    sockets.push(ws);
    await ws.request({ type: 'identify', agent_id: agentId, token: adminToken, capabilities: [] }, 'identified');
    return ws;
  }

  it('keeps the task lease and the extra lease held across kill -9, then releases them on completion', async () => {
    let url = await start();
    const holder = (await call(url, 'POST', '/api/tasks', { description: 'edit src', paths: ['src/**'] })).body.task_id as string;
    const one = await agent(url, 'one');
    const assign = await one.nextMessage('task_assign');
    expect(assign.task_id).to.equal(holder);
    await one.request({ type: 'task_accepted', task_id: holder, generation: assign.generation }, 'task_ack');
    const waiter = (await call(url, 'POST', '/api/tasks', { description: 'edit docs', paths: ['docs/guide.md'] })).body.task_id as string;
    const granted = await one.request({ type: 'lease_acquire', task_id: holder, generation: assign.generation, paths: ['docs/**'] }, 'lease_result');
    expect(granted.result).to.equal('granted');
    // Killed right after the grant was answered: it was durable before it was sent.
    started[0]!.kill('SIGKILL');
    await started[0]!.exited();
    sockets.splice(0).forEach((socket) => socket.socket.terminate());

    url = await start();
    const leases = (await call(url, 'GET', `/api/tasks/${holder}`)).body.leases as Array<{ lease_id: string }>;
    expect(leases.map((lease) => lease.lease_id).sort()).to.deep.equal([`task:${holder}`, (granted.lease as { lease_id: string }).lease_id].sort());
    const two = await agent(url, 'two');
    // The only other task overlaps the extra lease: agent two gets nothing, and the task says why.
    await waitFor(async () => (await call(url, 'GET', `/api/tasks/${waiter}`)).body.waiting_for_lease !== null, 10_000, 'waiting_for_lease');
    expect((await call(url, 'GET', `/api/tasks/${waiter}`)).body.waiting_for_lease).to.include({ task_id: holder });
    expect(two.pending().filter((frame) => frame.type === 'task_assign')).to.deep.equal([]);

    const back = await agent(url, 'one');
    const recovered = await back.request({ type: 'task_recovering', task_id: holder }, 'task_continue');
    await back.request({ type: 'task_complete', task_id: holder, generation: recovered.generation, result: {} }, 'task_ack');
    const next = await Promise.race([two.nextMessage('task_assign', 10_000), back.nextMessage('task_assign', 10_000)]);
    expect(next.task_id).to.equal(waiter);
    expect((await call(url, 'GET', `/api/tasks/${holder}`)).body.leases).to.deep.equal([]);
  });
});
