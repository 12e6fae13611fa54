// kill -9 of one hub while its agents hold tasks, on a 3-node loopback cluster (R3 buckets):
// a held task comes back at once when its agent reconnects to the surviving hub and reports
// task_recovering, and after the dead hub's lease runs out when its agent never comes back.
// Tasks are submitted and completed concurrently throughout; none acknowledged is lost and
// none is completed twice. Slow: run with `npm run test:cluster`.
import { expect } from 'chai';
import { callClusterHub, startClusterHub, stopClusterHubs, type ClusterHub } from '../support/cluster-hub-process.ts';
import { startNatsCluster, type NatsCluster } from '../support/nats-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { WsTestClient } from '../support/ws-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type RunningHub = ClusterHub;

describe('cluster: kill -9 of one hub while its agents hold tasks', function () {
  this.timeout(240_000);
  let cluster: NatsCluster;
  const hubs: RunningHub[] = [];
  const sockets: WsTestClient[] = [];
  let stopped = false;

  async function startHub(name: string): Promise<RunningHub> {
    const hub = await startClusterHub(cluster.urls, name, {
      // A hub reclaims for disconnected agents only once it has run one acceptance timeout (its start grace).
      hub_lease_ms: 1500, sweep_interval_ms: 250, acceptance_timeout_ms: 5000,
    });
    hubs.push(hub);
    return hub;
  }

  const call = callClusterHub;

  async function connect(hub: RunningHub, agentId: string, token: string): Promise<WsTestClient> {
    const ws = await WsTestClient.connect(`${hub.url.replace(/^http/, 'ws')}/ws`);
    sockets.push(ws);
    await ws.request({ type: 'identify', agent_id: agentId, token, capabilities: [], protocol_version: 1 }, 'identified');
    return ws;
  }

  /** Tokens are shared by the cluster: one registration serves the agent on every hub. */
  async function register(agentId: string): Promise<string> {
    const made = await call(hubs[0]!, 'POST', '/api/onboard/register', { agent_id: agentId });
    return made.body.token;
  }

  before(async () => {
    cluster = await startNatsCluster(3);
  });

  after(async () => {
    stopped = true;
    for (const ws of sockets) ws.socket.terminate();
    await stopClusterHubs(hubs);
    await cluster?.stop();
  });

  it('reclaims the dead hub\'s tasks (at once on task_recovering, else after its lease) and completes every acknowledged task once', async () => {
    const a = await startHub('hub-a');
    const b = await startHub('hub-b');
    const tokens = { returning: await register('returning'), vanishing: await register('vanishing'), steady: await register('steady') };
    const returning = await connect(a, 'returning', tokens.returning);
    const vanishing = await connect(a, 'vanishing', tokens.vanishing);

    const submitted = new Set<string>();
    const submitTo = async (hub: RunningHub, n: number) => {
      const made = await call(hub, 'POST', '/api/tasks', { description: `task ${n}`, idempotency_key: `k-${n}` });
      if (made.status === 201 || made.status === 200) submitted.add(made.body.task_id);
    };
    for (let n = 0; n < 2; n++) await submitTo(a, n);
    const held = {
      returning: await returning.nextMessage('task_assign', 15_000),
      vanishing: await vanishing.nextMessage('task_assign', 15_000),
    };
    await returning.request({ type: 'task_accepted', task_id: held.returning.task_id, generation: held.returning.generation }, 'task_ack');
    await vanishing.request({ type: 'task_accepted', task_id: held.vanishing.task_id, generation: held.vanishing.generation }, 'task_ack');

    // The steady agent on hub B completes whatever it gets while tasks keep coming in on B.
    const steady = await connect(b, 'steady', tokens.steady);
    const completedBySteady: string[] = [];
    const steadyLoop = (async () => {
      while (!stopped) {
        const assign = await steady.nextMessage('task_assign', 1000).catch(() => null);
        if (!assign) continue;
        await steady.request({ type: 'task_accepted', task_id: assign.task_id, generation: assign.generation }, 'task_ack');
        await steady.request({ type: 'task_complete', task_id: assign.task_id, generation: assign.generation, result: { by: 'steady' } }, 'task_ack');
        completedBySteady.push(assign.task_id as string);
      }
    })();
    const submitting = (async () => {
      for (let n = 2; n < 30; n++) {
        await submitTo(b, n);
        await sleep(50);
      }
    })();

    await sleep(300);
    a.process.kill('SIGKILL');
    await a.process.exited();

    // The returning agent reconnects to hub B at once and recovers its task there.
    const again = await connect(b, 'returning', tokens.returning);
    const answer = await again.request({ type: 'task_recovering', task_id: held.returning.task_id }, 'task_continue', 15_000);
    await again.request({ type: 'task_complete', task_id: held.returning.task_id, generation: answer.generation, result: { by: 'returning' } }, 'task_ack');
    // It leaves after that one: a task handed to it meanwhile goes back at its disconnect.
    again.socket.terminate();

    await submitting;
    // The vanishing agent never comes back: once hub A's lease ran out its task goes to the steady agent.
    await waitFor(async () => {
      const all = await Promise.all([...submitted].map((id) => call(b, 'GET', `/api/tasks/${id}`)));
      return all.every((task) => task.body?.status === 'completed');
    }, 60_000, 'every acknowledged task completed');
    stopped = true;
    await steadyLoop;

    expect(completedBySteady).to.include(held.vanishing.task_id);
    for (const id of submitted) {
      const task = (await call(b, 'GET', `/api/tasks/${id}`)).body;
      expect(task.history.filter((entry: { event: string }) => entry.event === 'completed'), `completions of ${id}`).to.have.length(1);
    }
    expect(new Set(completedBySteady).size).to.equal(completedBySteady.length);
    expect(vanishing.isClosed).to.equal(true);
  });
});
