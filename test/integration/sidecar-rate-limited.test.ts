// The sidecar honours rate_limited: it holds its sends for retry_after_ms and resends
// the frame the hub dropped, so nothing is lost and it is never disconnected.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { HubConnection } from '../../sidecar/hub-connection.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { waitFor } from '../support/wait-for.ts';

describe('sidecar: rate_limited', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({ rate_limits: true });
  });

  after(async () => {
    await hub.stop();
  });

  it('waits out retry_after_ms and resends the dropped frame', async function () {
    this.timeout(15_000);
    const token = await hub.register('patient');
    await hub.http('PUT', '/api/admin/rate-limits/patient', { body: { light: { capacity: 1, refill_rate_per_min: 60 } } });
    const lines: string[] = [];
    const log = winston.createLogger({ transports: [new winston.transports.Stream({ stream: new Writable({ write: (chunk, _e, done) => { lines.push(String(chunk)); done(); } }) })] });
    let identified = false;
    const connection = new HubConnection({
      hubUrl: hub.wsUrl, agentId: 'patient', token, name: 'patient', capabilities: [], heartbeatIntervalMs: 60_000, pongTimeoutMs: 10_000,
      log, onIdentified: () => { identified = true; }, onMessage: () => {},
    });
    connection.start();
    try {
      await waitFor(() => identified, 5_000, 'identified');
      await connection.send({ type: 'status', status: 'first' });
      await connection.send({ type: 'status', status: 'second' });
      await waitFor(() => lines.some((line) => line.includes('rate limited by the hub')), 5_000, 'rate limited log');
      await waitFor(async () => (await hub.http('GET', '/api/agents')).body.agents.find((agent: { agent_id: string }) => agent.agent_id === 'patient')?.status === 'second', 5_000, 'status second');
      expect(connection.connectionState).to.equal('identified');
    } finally {
      await connection.close();
    }
  });
});
