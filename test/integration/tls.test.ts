// The hub serving https and wss with certificates from a throwaway CA (openssl), the
// clients' verification, certificate reload with an open agent socket, and mTLS.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from 'node:tls';
import { tlsSettingsFrom } from '../../runtime/tls-settings.ts';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';
import { httpsCall } from '../support/https-call.ts';
import { TestCa, type IssuedCertificate } from '../support/test-pki.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/sidecar-fleet.ts';
import { WsTestClient } from '../support/ws-client.ts';

const cliBin = path.resolve('runtime/bin/agentcom.mjs');

/** The SHA-256 fingerprint of the certificate a new handshake gets. */
function servedFingerprint(port: number, servername: string | undefined, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: readFileSync(ca), rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

function fingerprintOf(certPath: string): string {
  return new X509Certificate(readFileSync(certPath)).fingerprint256;
}

/** Replaces a file the way renewal tools do: write beside it, rename over it. */
function replaceFile(target: string, source: string): void {
  copyFileSync(source, `${target}.new`);
  renameSync(`${target}.new`, target);
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('TLS on the hub', function () {
  this.timeout(60_000);

  let dir: TempDir;
  let ca: TestCa;
  let otherCa: TestCa;
  let first: IssuedCertificate;
  let hub: TestHub | null = null;
  /** The paths the hub is configured with; tests replace their contents. */
  let served: IssuedCertificate;

  before(() => {
    dir = makeTempDir('tls');
    ca = new TestCa(dir.path, 'main');
    otherCa = new TestCa(dir.path, 'other');
    first = ca.issueServer('server-1');
  });

  after(() => dir.remove());

  beforeEach(() => {
    served = { cert: path.join(dir.path, 'live-cert.pem'), key: path.join(dir.path, 'live-key.pem') };
    copyFileSync(first.cert, served.cert);
    copyFileSync(first.key, served.key);
  });

  afterEach(async () => {
    await hub?.stop();
    hub = null;
  });

  it('serves https and wss, and hands out https and wss URLs', async () => {
    hub = await startTestHub({ tls_cert: served.cert, tls_key: served.key });
    expect(hub.running.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const trusted = { ca: readFileSync(ca.cert), servername: 'localhost' };

    const health = await httpsCall(hub.port, 'GET', '/health', trusted);
    expect(health.status).to.equal(200);
    expect(health.body.status).to.equal('ok');
    // Without SNI (a client dialling the IP address) the start certificate answers too.
    expect((await httpsCall(hub.port, 'GET', '/health', { ca: readFileSync(ca.cert) })).status).to.equal(200);

    const registered = await httpsCall(hub.port, 'POST', '/api/onboard/register', trusted, { body: { agent_id: 'tls-agent' } });
    expect(registered.status).to.equal(201);
    expect(registered.body.hub_ws_url).to.match(/^wss:\/\//);
    expect(registered.body.hub_api_url).to.match(/^https:\/\//);

    const ws = await WsTestClient.connect(`wss://localhost:${hub.port}/ws`, { ca: readFileSync(ca.cert), host: '127.0.0.1' } as never);
    try {
      const identified = await ws.request({ type: 'identify', agent_id: 'tls-agent', token: registered.body.token, capabilities: [], protocol_version: 1 }, 'identified');
      expect(identified.agent_id).to.equal('tls-agent');
    } finally {
      ws.socket.terminate();
    }
  });

  it('a client without the CA refuses the hub: node, and the agentcom CLI unless given --ca-file', async () => {
    hub = await startTestHub({ tls_cert: served.cert, tls_key: served.key });
    const refused = await httpsCall(hub.port, 'GET', '/health', {}).then(() => null, (error: NodeJS.ErrnoException) => error.code);
    expect(refused).to.be.oneOf(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

    const hubUrl = `https://127.0.0.1:${hub.port}`;
    const args = ['tasks', 'list', '--hub', hubUrl, '--token', hub.adminToken, '--json'];
    const untrusted = await runCli(args, { AGENTCOM_CA_FILE: '' });
    expect(untrusted.code).to.equal(1);
    expect(untrusted.stderr).to.contain('AC_ERR_TLS_UNTRUSTED').and.to.contain('--ca-file');

    const trusted = await runCli(['--ca-file', ca.cert, ...args]);
    expect(trusted.stderr).to.equal('');
    expect(trusted.code).to.equal(0);
    expect(JSON.parse(trusted.stdout)).to.have.property('tasks');
  });

  it('reloads replaced certificate files: new handshakes get the new certificate, an open agent socket stays', async () => {
    hub = await startTestHub({ tls_cert: served.cert, tls_key: served.key });
    const port = hub.port;
    const registered = await httpsCall(port, 'POST', '/api/onboard/register', { ca: readFileSync(ca.cert), servername: 'localhost' }, { body: { agent_id: 'steady' } });
    const ws = await WsTestClient.connect(`wss://localhost:${port}/ws`, { ca: readFileSync(ca.cert), host: '127.0.0.1' } as never);
    try {
      await ws.request({ type: 'identify', agent_id: 'steady', token: registered.body.token, capabilities: [], protocol_version: 1 }, 'identified');
      expect(await servedFingerprint(port, 'localhost', ca.cert)).to.equal(fingerprintOf(first.cert));

      const second = otherCa.issueServer('server-2');
      replaceFile(served.key, second.key);
      replaceFile(served.cert, second.cert);
      const wanted = fingerprintOf(second.cert);
      await waitFor(async () => (await servedFingerprint(port, 'localhost', ca.cert)) === wanted, 10_000, 'the watched files to reload', 100);
      // Verified end to end against the new CA, through the routes of the name's new context.
      expect((await httpsCall(port, 'GET', '/health', { ca: readFileSync(otherCa.cert), servername: 'localhost' })).status).to.equal(200);
      // uWS cannot swap the default context: a client that sends no SNI gets the start certificate (docs/operations.md).
      expect(await servedFingerprint(port, undefined, ca.cert)).to.equal(fingerprintOf(first.cert));

      // The socket opened before the reload still works both ways.
      expect(ws.isClosed).to.equal(false);
      const pong = await ws.request({ type: 'ping', protocol_version: 1 }, 'pong');
      expect(pong.type).to.equal('pong');
      const state = await httpsCall(port, 'GET', '/api/agents/steady/state', { ca: readFileSync(otherCa.cert), servername: 'localhost' }, { token: hub.adminToken });
      expect(state.body.fsm_state).to.equal('idle');
    } finally {
      ws.socket.terminate();
    }
  });

  it('a reload with a bad or mismatched file keeps serving the certificate it has', async () => {
    hub = await startTestHub({ tls_cert: served.cert, tls_key: served.key });
    const unrelated = ca.issueServer('server-3');
    replaceFile(served.key, unrelated.key);
    const mismatched = hub.running.reloadTls('test');
    expect(mismatched.ok).to.equal(false);
    expect(mismatched.ok ? '' : mismatched.code).to.equal('AC_ERR_TLS_KEY_MISMATCH');
    writeFileSync(served.cert, 'not a certificate');
    const garbage = hub.running.reloadTls('test');
    expect(garbage.ok ? '' : garbage.code).to.equal('AC_ERR_TLS_FILE');
    expect(await servedFingerprint(hub.port, 'localhost', ca.cert)).to.equal(fingerprintOf(first.cert));
    expect((await httpsCall(hub.port, 'GET', '/health', { ca: readFileSync(ca.cert), servername: 'localhost' })).status).to.equal(200);
  });

  it('with tls_client_ca asks for client certificates: a good one or none passes, a foreign one is refused', async () => {
    hub = await startTestHub({ tls_cert: served.cert, tls_key: served.key, tls_client_ca: ca.cert });
    const base = { ca: readFileSync(ca.cert), servername: 'localhost' };
    const good = ca.issueClient('client-good', 'agent-7');
    const foreign = otherCa.issueClient('client-foreign', 'agent-8');
    expect((await httpsCall(hub.port, 'GET', '/health', base)).status).to.equal(200);
    const withGood = await httpsCall(hub.port, 'GET', '/health', { ...base, cert: readFileSync(good.cert), key: readFileSync(good.key) });
    expect(withGood.status).to.equal(200);
    const withForeign = await httpsCall(hub.port, 'GET', '/health', { ...base, cert: readFileSync(foreign.cert), key: readFileSync(foreign.key) })
      .then(() => 'accepted', (error: Error) => error.message);
    expect(withForeign).to.match(/unknown ca|alert|socket hang up|ECONNRESET/i);
  });

  it('checks the settings before anything opens: a missing file, half a pair', () => {
    const missing = tlsSettingsFrom({ host: '127.0.0.1', tls_cert: path.join(dir.path, 'nope.pem'), tls_key: served.key, require_tls: false });
    expect(missing.ok ? '' : missing.detail).to.match(/^tls_cert .*nope\.pem cannot be used: ENOENT$/);
    const half = tlsSettingsFrom({ host: '127.0.0.1', tls_cert: served.cert, require_tls: false });
    expect(half.ok ? '' : half.code).to.equal('AC_ERR_TLS_INCOMPLETE');
    const good = tlsSettingsFrom({ host: '0.0.0.0', tls_cert: served.cert, tls_key: served.key, require_tls: true });
    expect(good.ok && good.value.tls?.material.certificate.fingerprint256).to.equal(fingerprintOf(first.cert));
  });

  it('agentcom start: one line for a bad certificate, SIGHUP reloads, --require-tls refuses clear text off loopback', async function () {
    this.timeout(120_000);
    const data = makeTempDir('tls-cli');
    try {
      const mismatched = await runCli(['start', '--port', '0', '--data-dir', data.path, '--tls-cert', served.cert, '--tls-key', otherCa.issueServer('server-4').key]);
      expect(mismatched.code).to.equal(2);
      expect(mismatched.stderr.trim().split('\n')).to.have.length(1);
      expect(mismatched.stderr).to.contain('AC_ERR_TLS_KEY_MISMATCH');

      const refused = await runCli(['start', '--host', '0.0.0.0', '--port', '0', '--data-dir', path.join(data.path, 'never'), '--require-tls']);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.contain('AC_ERR_TLS_REQUIRED').and.to.contain('0.0.0.0');
      expect(existsSync(path.join(data.path, 'never')), 'nothing was opened').to.equal(false);

      // The signal path, on a real `agentcom start`.
      const child = spawn(process.execPath, [cliBin, 'start', '--port', '0', '--data-dir', data.path, '--tls-cert', served.cert, '--tls-key', served.key],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.stdout.on('data', (chunk) => (stdout += chunk));
      try {
        await waitFor(() => /Agents\s+wss:\/\//.test(stderr), 30_000, 'the hub banner', 100);
        expect(stderr).to.match(/API\s+https:\/\/127\.0\.0\.1:\d+\/api/).and.to.match(/Dashboard\s+https:\/\//);
        const port = Number(/https:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
        const fifth = otherCa.issueServer('server-5');
        // Rewritten in place (no rename), the way some tools do; the watcher or the signal, whichever comes first.
        writeFileSync(served.key, readFileSync(fifth.key));
        writeFileSync(served.cert, readFileSync(fifth.cert));
        child.kill('SIGHUP');
        await waitFor(async () => (await servedFingerprint(port, 'localhost', ca.cert)) === fingerprintOf(fifth.cert), 10_000, 'SIGHUP reload', 100);
        expect(child.exitCode, 'SIGHUP does not stop a TLS hub').to.equal(null);
        // The watcher waits 500 ms for the files to settle; the signal reloads at once.
        const reloads = stdout.split('\n').filter((line) => line.includes('TLS files reloaded')).map((line) => JSON.parse(line));
        expect(reloads[0]).to.include({ reason: 'SIGHUP' });
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    } finally {
      data.remove();
    }
  });
});
