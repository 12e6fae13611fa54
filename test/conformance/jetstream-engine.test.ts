// The queue engine behaviour on JetStream: one real nats-server with JetStream on a free port
// and a temp store dir for the whole file, fresh buckets (a new prefix) per test.
import { expect } from 'chai';
import type { TaskRecord } from '../../storage/task-record.ts';
import { newTask } from '../support/task-factory.ts';
import { JetStreamTaskQueue } from '../../storage/jetstream/jetstream-queue.ts';
import { startNatsNode, type NatsNode } from '../support/nats-server.ts';
import { queueEngineBehaviour } from './queue-engine-behaviour.ts';

describe('Queue engine conformance: JetStream', function () {
  this.timeout(30_000);
  let node: NatsNode;
  let prefix = '';
  let tests = 0;

  before(async () => {
    node = await startNatsNode();
  });

  after(async () => {
    await node?.stop();
  });

  const open = () => JetStreamTaskQueue.open({ servers: [node.url], prefix });
  queueEngineBehaviour({
    openFresh: async () => {
      prefix = `conformance${++tests}`;
      return open();
    },
    openAgain: open,
    discard: async () => {},
  });

  describe('two hubs on one bucket', () => {
    let a: JetStreamTaskQueue;
    let b: JetStreamTaskQueue;

    beforeEach(async () => {
      prefix = `twohubs${++tests}`;
      [a, b] = [await open(), await open()];
    });

    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it('shows a task submitted on one hub to the other after caughtUp, and tells it as a remote change', async () => {
      const heard: TaskRecord[] = [];
      b.onRemoteChange((task) => heard.push(task));
      const submitted = await a.submit(newTask({ description: 'from a' }), 1);
      if (!submitted.ok) throw new Error(submitted.code);
      await b.caughtUp();
      expect(b.get(submitted.value.task.id)?.description).to.equal('from a');
      expect(heard.map((task) => task.id)).to.deep.equal([submitted.value.task.id]);
    });

    it('never hands one task to claims from both hubs, and hands out every task once', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const submitted = await (i % 2 ? a : b).submit(newTask({ description: `t${i}` }), i);
        if (submitted.ok) ids.add(submitted.value.task.id);
      }
      await Promise.all([a.caughtUp(), b.caughtUp()]);
      const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).claimNext(`agent-${i}`, [], 100)));
      const claimed = claims.flatMap((claim) => (claim.ok && claim.value ? [claim.value.id] : []));
      expect(claimed).to.have.length(20);
      expect(new Set(claimed)).to.deep.equal(ids);
    });

    it('lets only one of two hubs complete a task', async () => {
      const submitted = await a.submit(newTask(), 1);
      if (!submitted.ok) throw new Error(submitted.code);
      const claim = await a.claimNext('agent-1', [], 2);
      if (!claim.ok || !claim.value) throw new Error('no claim');
      const report = { taskId: claim.value.id, agentId: 'agent-1', generation: claim.value.generation };
      await b.caughtUp();
      const outcomes = await Promise.all([a.complete(report, { by: 'a' }, null, 3), b.complete(report, { by: 'b' }, null, 3)]);
      expect(outcomes.filter((outcome) => outcome.ok)).to.have.length(1);
      expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => !outcome.ok && outcome.code)).to.deep.equal(['AC_ERR_INVALID_STATE']);
    });

    it('creates one task for one idempotency key submitted on both hubs at once', async () => {
      const [x, y] = await Promise.all([
        a.submit(newTask({ idempotencyKey: 'same' }), 1), b.submit(newTask({ idempotencyKey: 'same' }), 1),
      ]);
      if (!x.ok || !y.ok) throw new Error('submit failed');
      expect(x.value.task.id).to.equal(y.value.task.id);
      expect([x.value.created, y.value.created].filter(Boolean)).to.have.length(1);
    });
  });
});
