import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadSidecarConfig, parseSidecarConfig } from '../../../sidecar/sidecar-config.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const minimal = { agent_id: 'gcu-sleeper', token: 'f'.repeat(64), hub_url: 'ws://127.0.0.1:4000/ws' };
const sidecarBin = path.resolve('sidecar/bin/agentcom-sidecar.mjs');

describe('parseSidecarConfig', () => {
  it('accepts the three required keys and fills the reference defaults', () => {
    const result = parseSidecarConfig(minimal, '/srv/agent/config.json');
    if (!result.ok) throw new Error(result.detail);
    expect(result.value).to.include({
      confirmation_timeout_ms: 30_000,
      wake_timeout_ms: 60_000,
      heartbeat_interval_ms: 30_000,
      pong_timeout_ms: 10_000,
      progress_interval_ms: 60_000,
    });
    expect(result.value.capabilities).to.deep.equal([]);
    expect(result.value.wake_retry_delays_ms).to.deep.equal([5_000, 15_000, 30_000]);
  });

  it('resolves relative paths against the config file folder', () => {
    const result = parseSidecarConfig({ ...minimal, repo_dir: '../repo' }, '/srv/agent/config.json');
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.results_dir).to.equal('/srv/agent/results');
    expect(result.value.log_file).to.equal('/srv/agent/sidecar.log');
    expect(result.value.queue_file).to.equal('/srv/agent/queue.json');
    expect(result.value.repo_dir).to.equal('/srv/repo');
  });

  it('keeps absolute paths as they are', () => {
    const result = parseSidecarConfig({ ...minimal, results_dir: '/var/results' }, '/srv/agent/config.json');
    expect(result.ok && result.value.results_dir).to.equal('/var/results');
  });

  it('allows keys it does not know, as old configs carry them', () => {
    expect(parseSidecarConfig({ ...minimal, openclaw_profile: 'x' }, '/c.json').ok).to.equal(true);
  });

  it('treats null as an unset key', () => {
    const result = parseSidecarConfig({ ...minimal, repo_dir: null, wake_command: null }, '/c.json');
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.repo_dir).to.equal(undefined);
  });

  it('takes an http(s) hub address as that hub\'s socket, and resolves ca_file like the other paths', () => {
    const secure = parseSidecarConfig({ ...minimal, hub_url: 'https://hub.example:4000', ca_file: 'ca.pem' }, '/etc/agent/c.json');
    if (!secure.ok) throw new Error(secure.detail);
    expect(secure.value.hub_url).to.equal('wss://hub.example:4000/ws');
    expect(secure.value.ca_file).to.equal('/etc/agent/ca.pem');
    expect(secure.value.insecure).to.equal(false);
    const plain = parseSidecarConfig({ ...minimal, hub_url: 'http://hub:4000/custom' }, '/c.json');
    expect(plain.ok && plain.value.hub_url).to.equal('ws://hub:4000/custom');
  });

  it('takes hub_url as a list of hubs in failover order, and a single string as a list of one', () => {
    const listed = parseSidecarConfig({ ...minimal, hub_url: ['http://hub-a:4000', 'ws://hub-b:4000/ws'] }, '/c.json');
    if (!listed.ok) throw new Error(listed.detail);
    expect(listed.value.hub_urls).to.deep.equal(['ws://hub-a:4000/ws', 'ws://hub-b:4000/ws']);
    expect(listed.value.hub_url).to.equal('ws://hub-a:4000/ws');
    const single = parseSidecarConfig(minimal, '/c.json');
    expect(single.ok && single.value.hub_urls).to.deep.equal(['ws://127.0.0.1:4000/ws']);
    const empty = parseSidecarConfig({ ...minimal, hub_url: [] }, '/c.json');
    expect(empty.ok).to.equal(false);
  });

  const badValues: Array<[string, unknown, string]> = [
    ['agent_id', '', 'config: agent_id must be a string of 1 to 128 characters'],
    ['agent_id', 'a'.repeat(129), 'config: agent_id must be a string of 1 to 128 characters'],
    ['token', 42, 'config: token must be a string of 1 to 256 characters'],
    ['hub_url', 'ftp://hub:4000/ws', 'config: hub_url must be a ws://, wss://, http:// or https:// URL'],
    ['ca_file', '', 'config: ca_file must be a file path'],
    ['insecure', 'yes', 'config: insecure must be true or false'],
    ['hub_api_url', 'ws://hub', 'config: hub_api_url must be an http:// or https:// URL'],
    ['wake_command', [], 'config: wake_command must be a command string or a non-empty array of strings'],
    ['capabilities', 'code', 'config: capabilities must be an array of strings of 1 to 128 characters'],
    ['confirmation_timeout_ms', 0, 'config: confirmation_timeout_ms must be a whole number of milliseconds >= 1'],
    ['pong_timeout_ms', '10s', 'config: pong_timeout_ms must be a whole number of milliseconds >= 1'],
    ['progress_interval_ms', 1.5, 'config: progress_interval_ms must be a whole number of milliseconds >= 1'],
    ['results_dir', '', 'config: results_dir must be a folder path'],
    ['wake_retry_delays_ms', [-1], 'config: wake_retry_delays_ms must be an array of whole milliseconds >= 0'],
  ];
  for (const [key, value, line] of badValues) {
    it(`names ${key} when it is ${JSON.stringify(value).slice(0, 30)}`, () => {
      const result = parseSidecarConfig({ ...minimal, [key]: value }, '/c.json');
      expect(result).to.deep.include({ ok: false, code: 'AC_ERR_CONFIG_INVALID', field: key, detail: line });
    });
  }

  for (const key of ['agent_id', 'token', 'hub_url']) {
    it(`names ${key} when it is missing`, () => {
      const config: Record<string, unknown> = { ...minimal };
      delete config[key];
      expect(parseSidecarConfig(config, '/c.json')).to.deep.include({ ok: false, detail: `config: ${key} is required` });
    });
  }
});

describe('loadSidecarConfig', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('sidecar-config');
  });
  afterEach(() => dir.remove());

  it('reports a missing file as unreadable', () => {
    expect(loadSidecarConfig(path.join(dir.path, 'nope.json'))).to.deep.include({ ok: false, code: 'AC_ERR_CONFIG_UNREADABLE' });
  });

  it('reports a file that is not JSON as invalid', () => {
    const file = path.join(dir.path, 'config.json');
    writeFileSync(file, '{ agent_id: ');
    expect(loadSidecarConfig(file)).to.deep.include({ ok: false, code: 'AC_ERR_CONFIG_INVALID' });
  });

  it('makes the sidecar exit 1 with one line naming the bad key', async () => {
    const file = path.join(dir.path, 'config.json');
    writeFileSync(file, JSON.stringify({ ...minimal, hub_url: 'ftp://nope' }));
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [sidecarBin, '--config', file], (error, _stdout, stderrText) => {
        resolve({ code: error ? (error.code as number) : 0, stderr: stderrText });
      });
    });
    expect(code).to.equal(1);
    expect(stderr).to.equal('config: hub_url must be a ws://, wss://, http:// or https:// URL\n');
  });
});
