// Fault tests of the JetStream engine on a real 3-node nats-server cluster on loopback (buckets
// with 3 replicas, free ports, temp store dirs, always stopped). Two engines (two hubs) submit
// and complete concurrently while a node is killed with kill -9, or the whole cluster restarts.
// Each test checks that no acknowledged submit is lost and no task is completed twice.
// Slow: run with `npm run test:cluster`.
import { expect } from 'chai';
import type { Result } from '../../storage/domain/errors.ts';
import { JetStreamTaskQueue } from '../../storage/jetstream/jetstream-queue.ts';
import { newTask } from '../support/task-factory.ts';
import { startNatsCluster, type NatsCluster } from '../support/nats-server.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the load saw acknowledged: submitted task ids, and per task how many completions were acknowledged. */
interface Ledger {
  submitted: Set<string>;
  completions: Map<string, number>;
  failedWrites: number;
}

/** Keeps submitting (idempotent keys, retried until acknowledged) and completing on both hubs until `stop`. */
function runLoad(hubs: JetStreamTaskQueue[], ledger: Ledger, stop: { now: boolean }, submitters = 4): Promise<void> {
  let next = 0;
  const submitter = async (hub: JetStreamTaskQueue) => {
    while (!stop.now) {
      const key = `load-${next++}`;
      for (;;) {
        const submitted = await hub.submit(newTask({ description: key, idempotencyKey: key }), Date.now());
        if (submitted.ok) {
          ledger.submitted.add(submitted.value.task.id);
          break;
        }
        ledger.failedWrites += 1;
        if (stop.now) return;
        await sleep(50);
      }
    }
  };
  const worker = async (hub: JetStreamTaskQueue, agentId: string) => {
    while (!stop.now) await work(hub, agentId, ledger);
  };
  return Promise.all([
    ...Array.from({ length: submitters }, (_, i) => submitter(hubs[i % hubs.length])),
    ...hubs.flatMap((hub, h) => [worker(hub, `agent-${h}-a`), worker(hub, `agent-${h}-b`)]),
  ]).then(() => {});
}

/** One claim and its completion; returns false when nothing was there to claim. */
async function work(hub: JetStreamTaskQueue, agentId: string, ledger: Ledger): Promise<boolean> {
  const claimed = await hub.claimNext(agentId, [], Date.now());
  if (!claimed.ok) {
    ledger.failedWrites += 1;
    await sleep(50);
    return true;
  }
  if (!claimed.value) {
    await sleep(10);
    return false;
  }
  const task = claimed.value;
  for (let attempt = 0; attempt < 100; attempt++) {
    const done: Result<unknown> = await hub.complete({ taskId: task.id, agentId, generation: task.generation }, { by: agentId }, null, Date.now());
    if (done.ok) {
      ledger.completions.set(task.id, (ledger.completions.get(task.id) ?? 0) + 1);
      return true;
    }
    // Refused (already completed, reclaimed): the outcome is decided, stop reporting.
    if (done.code !== 'AC_ERR_STORAGE') return true;
    ledger.failedWrites += 1;
    await sleep(100);
  }
  return true;
}

/** Completes whatever is left, then checks the ledger against the bucket. */
async function settleAndCheck(hubs: JetStreamTaskQueue[], ledger: Ledger): Promise<void> {
  const [hub] = hubs;
  await hub.caughtUp();
  for (let idle = 0; idle < 20;) {
    // Tasks claimed by a worker that was stopped mid-way are taken back, as a hub's sweep would.
    for (const task of hub.assigned()) await hub.reclaim(task.id, 'agent_disconnect', Date.now(), task.generation);
    idle = (await work(hub, 'agent-drain', ledger)) ? 0 : idle + 1;
  }
  await hub.caughtUp();
  for (const id of ledger.submitted) {
    const task = hub.get(id);
    expect(task, `acknowledged task ${id}`).to.not.equal(undefined);
    expect(task!.status, `status of ${id}`).to.equal('completed');
    expect(task!.history.filter((entry) => entry.event === 'completed'), `completions of ${id}`).to.have.length(1);
  }
  for (const [id, count] of ledger.completions) expect(count, `acknowledged completions of ${id}`).to.equal(1);
  expect(hub.stats().byStatus.completed).to.equal(ledger.submitted.size);
}

describe('JetStream engine faults on a 3-node cluster', function () {
  this.timeout(180_000);
  let cluster: NatsCluster;
  let hubs: JetStreamTaskQueue[] = [];
  let prefix = 0;

  beforeEach(async () => {
    cluster = await startNatsCluster(3);
    const open = async () => {
      // The cluster needs a moment to elect a meta leader before buckets can be created.
      for (let attempt = 0; ; attempt++) {
        try {
          return await JetStreamTaskQueue.open({ servers: cluster.urls, replicas: 3, prefix: `faults${prefix}` });
        } catch (error) {
          if (attempt > 60) throw error;
          await sleep(500);
        }
      }
    };
    prefix += 1;
    hubs = [await open(), await open()];
  });

  afterEach(async () => {
    await Promise.all(hubs.map((hub) => hub.close().catch(() => {})));
    await cluster?.stop();
  });

  it('loses no acknowledged task and completes none twice when one NATS node is killed with kill -9', async () => {
    const ledger: Ledger = { submitted: new Set(), completions: new Map(), failedWrites: 0 };
    const stop = { now: false };
    const load = runLoad(hubs, ledger, stop);
    await sleep(1500);
    await cluster.nodes[0].kill();
    await sleep(3000);
    await cluster.nodes[0].start();
    await sleep(1500);
    stop.now = true;
    await load;
    expect(ledger.submitted.size).to.be.greaterThan(20);
    await settleAndCheck(hubs, ledger);
  });

  it('loses no acknowledged task and completes none twice across a restart of the whole cluster', async () => {
    const ledger: Ledger = { submitted: new Set(), completions: new Map(), failedWrites: 0 };
    const stop = { now: false };
    const load = runLoad(hubs, ledger, stop);
    await sleep(1500);
    await Promise.all(cluster.nodes.map((node) => node.kill()));
    await sleep(1000);
    await Promise.all(cluster.nodes.map((node) => node.start()));
    await sleep(4000);
    stop.now = true;
    await load;
    expect(ledger.submitted.size).to.be.greaterThan(20);
    await settleAndCheck(hubs, ledger);
  });
});
