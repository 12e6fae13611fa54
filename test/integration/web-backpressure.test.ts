import { expect } from 'chai';
import type { Socket } from 'node:net';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';

describe('wire: backpressure', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({ backpressure_grace_ms: 300 });
  });

  after(async () => {
    await hub.stop();
  });

  it('stops answering an agent socket that stops reading, and closes it with 4008 when it does not catch up', async () => {
    // Thirty connected agents make each `agents` reply a few KiB.
    for (let i = 0; i < 30; i++) await hub.connectAgent(`crowd-${i}-${'x'.repeat(100)}`, { capabilities: ['a'.repeat(100)] });
    // An admin token: its frames are not rate limited, so the send buffer is what stops it.
    const slow = await hub.connectAgent('slow-reader', { token: hub.adminToken });
    // Stop reading: the kernel buffers fill, then uWS's per-socket buffer (1 MiB).
    const tcp = (slow.ws.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    for (let i = 0; i < 4000; i++) slow.ws.send({ type: 'list_agents' });
    // Still not reading until the hub has closed the socket on its side (after the 300 ms grace),
    // however long the 4,000 frames take to answer on a loaded machine.
    // It keeps asking meanwhile, as a flooding client does: the kernel's socket buffers can take
    // the first answers, and each new frame lets the hub see that its output is still stuck.
    const asking = setInterval(() => {
      for (let i = 0; i < 200; i++) slow.ws.send({ type: 'list_agents' });
    }, 100);
    try {
      await waitFor(() => hub.running.hub.sessions.listAgents().find((agent) => agent.agent_id === 'slow-reader')?.fsm_state === 'offline', 15_000, 'the hub to close the slow reader');
    } finally {
      clearInterval(asking);
    }
    tcp.resume();
    const closed = await slow.ws.closed;
    expect(closed).to.deep.equal({ code: 4008, reason: 'backpressure' });
    // Replies stopped once half the send buffer was taken: far fewer than were asked for.
    expect(slow.ws.pending().filter((frame) => frame.type === 'agents').length).to.be.below(4000);
    // The others are unaffected.
    const healthy = await hub.connectAgent('after-flood');
    expect((await healthy.ws.request({ type: 'ping' }, 'pong')).type).to.equal('pong');
  });
});
