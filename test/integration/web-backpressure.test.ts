import { expect } from 'chai';
import type { Socket } from 'node:net';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

describe('wire: backpressure', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub();
  });

  after(async () => {
    await hub.stop();
  });

  it('closes an agent socket with 4008 when it stops reading and its send buffer overflows', async () => {
    // Thirty connected agents make each `agents` reply a few KiB.
    for (let i = 0; i < 30; i++) await hub.connectAgent(`crowd-${i}-${'x'.repeat(100)}`, { capabilities: ['a'.repeat(100)] });
    const slow = await hub.connectAgent('slow-reader');
    // Stop reading: the kernel buffers fill, then uWS's per-socket buffer (1 MiB).
    const tcp = (slow.ws.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    for (let i = 0; i < 4000; i++) slow.ws.send({ type: 'list_agents' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    tcp.resume();
    const closed = await slow.ws.closed;
    expect(closed).to.deep.equal({ code: 4008, reason: 'backpressure' });
    // The others are unaffected.
    const healthy = await hub.connectAgent('after-flood');
    expect((await healthy.ws.request({ type: 'ping' }, 'pong')).type).to.equal('pong');
  });
});
