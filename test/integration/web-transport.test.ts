import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import uWS from 'uWebSockets.js';
import { detectTransport } from '../../web/server.ts';
import { startTestHub } from '../support/hub-harness.ts';
import { WsTestClient } from '../support/ws-client.ts';

const serverModule = fileURLToPath(new URL('../../web/server.ts', import.meta.url));

/** Starts a server in a child whose uWS loaded its JS fallback (the package's own switch). */
function startWithFallback(allowJsFallback: boolean) {
  const script = `
    import winston from 'winston';
    import { startServer } from ${JSON.stringify(serverModule)};
    const logger = winston.createLogger({ silent: true });
    const hub = { dashboard: { onEvent: () => () => {} }, messaging: { attachFanout: () => {} } };
    const started = await startServer({ host: '127.0.0.1', port: 0, hub, logger, allowJsFallback: ${allowJsFallback} });
    console.log('RESULT ' + JSON.stringify(started.ok ? { ok: true, transport: started.transport } : { ok: false, code: started.code }));
    if (started.ok) await started.close();
    process.exit(0);
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, UWS_USE_FALLBACK: '1' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result from child: ${child.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as { ok: boolean; transport?: string; code?: string };
}

describe('wire: transport', () => {
  it('runs on the native uWS binding here', () => {
    expect(detectTransport(uWS as { SSLApp?: unknown })).to.equal('native');
  });

  it('refuses the JS fallback unless allowed', () => {
    expect(startWithFallback(false)).to.deep.equal({ ok: false, code: 'AC_ERR_TRANSPORT_FALLBACK' });
  });

  it('runs on the JS fallback when allowed and says so', () => {
    expect(startWithFallback(true)).to.deep.equal({ ok: true, transport: 'js-fallback' });
  });

  it('closes agent and dashboard sockets with 1001 when the hub stops', async () => {
    const hub = await startTestHub();
    const agent = await hub.connectAgent('leaving-soon');
    const dashboard = await WsTestClient.connect(`${hub.wsUrl}/dashboard?token=${hub.adminToken}`);
    await dashboard.nextMessage('snapshot');
    await hub.running.stop();
    expect(await agent.ws.closed).to.deep.equal({ code: 1001, reason: 'hub shutting down' });
    expect(await dashboard.closed).to.deep.equal({ code: 1001, reason: 'hub shutting down' });
    // A keep-alive connection from before the stop gets 503 and is closed; a new one is refused.
    const late = await fetch(`${hub.url}/health`).then((response) => response.status, () => 'refused');
    expect(late).to.be.oneOf([503, 'refused']);
    const later = await fetch(`${hub.url}/health`).then((response) => response.status, () => 'refused');
    expect(later).to.equal('refused');
    await hub.stop();
  });
});
