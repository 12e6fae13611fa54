import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFromEnv, readConfigFile, resolveConfig } from '../../../runtime/config.ts';
import { makeTempDir } from '../../support/temp-dir.ts';

describe('hub config', () => {
  it('uses the reference defaults: 127.0.0.1:4000 and ./data', () => {
    const config = resolveConfig();
    expect(config.ok && config.value).to.include({ host: '127.0.0.1', port: 4000, log_level: 'info', allow_js_fallback: false });
    expect(config.ok && config.value.data_dir).to.equal(join(process.cwd(), 'data'));
  });

  it('lets flags override the environment and the environment override the file', () => {
    const file = { port: 5000, host: '10.0.0.1', log_level: 'debug' };
    const env = configFromEnv({ AGENTCOM_PORT: '6000', AGENTCOM_HOST: '0.0.0.0' });
    const flags = { port: 7000 };
    const config = resolveConfig(file, env, flags);
    expect(config.ok && config.value).to.include({ port: 7000, host: '0.0.0.0', log_level: 'debug' });
  });

  it('reads PORT as the original did, with AGENTCOM_PORT winning when both are set', () => {
    expect(configFromEnv({ PORT: '4100' })).to.deep.equal({ port: 4100 });
    expect(configFromEnv({ PORT: '4100', AGENTCOM_PORT: '4200' })).to.deep.equal({ port: 4200 });
  });

  it('names the key of a bad value in one line', () => {
    const badPort = resolveConfig(configFromEnv({ AGENTCOM_PORT: 'forty' }));
    expect(badPort.ok).to.equal(false);
    expect(!badPort.ok && badPort.code).to.equal('AC_ERR_CONFIG_INVALID');
    expect(!badPort.ok && badPort.detail).to.match(/^config key port: /);
    const tooLong = resolveConfig({ stuck_after_ms: 2 ** 31 });
    expect(!tooLong.ok && tooLong.detail).to.match(/^config key stuck_after_ms: /);
    const unknown = resolveConfig({ prot: 4000 } as never);
    expect(!unknown.ok && unknown.detail).to.match(/^config key prot: /);
  });

  it('refuses a config file that is not a JSON object, naming the file', () => {
    const dir = makeTempDir('config');
    try {
      const path = join(dir.path, 'agentcom.json');
      writeFileSync(path, '[1, 2]');
      const read = readConfigFile(path);
      expect(!read.ok && read.code).to.equal('AC_ERR_CONFIG_UNREADABLE');
      expect(!read.ok && read.detail).to.include(path);
      writeFileSync(path, '{"port": 4300}');
      expect(readConfigFile(path)).to.deep.equal({ ok: true, value: { port: 4300 } });
    } finally {
      dir.remove();
    }
  });

  describe('queue engine', () => {
    it('defaults to lmdb with no NATS servers', () => {
      const config = resolveConfig();
      expect(config.ok && config.value).to.deep.include({ engine: 'lmdb', nats_servers: [], nats_replicas: 1 });
    });

    it('reads AGENTCOM_ENGINE and a comma-separated AGENTCOM_NATS, and a flag overrides both', () => {
      const env = configFromEnv({ AGENTCOM_ENGINE: 'jetstream', AGENTCOM_NATS: 'nats://10.0.0.1:4222, nats://10.0.0.2:4222' });
      const fromEnv = resolveConfig(env);
      expect(fromEnv.ok && fromEnv.value).to.deep.include({ engine: 'jetstream', nats_servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'] });
      const flagged = resolveConfig(env, { nats_servers: 'nats://127.0.0.1:4333' });
      expect(flagged.ok && flagged.value.nats_servers).to.deep.equal(['nats://127.0.0.1:4333']);
    });

    it('takes nats_servers as a list in the config file', () => {
      const config = resolveConfig({ engine: 'jetstream', nats_servers: ['nats://a:4222', 'tls://b:4222'] });
      expect(config.ok && config.value.nats_servers).to.deep.equal(['nats://a:4222', 'tls://b:4222']);
    });

    it('refuses the jetstream engine without NATS servers, an unknown engine and a URL that is not nats://', () => {
      const none = resolveConfig({ engine: 'jetstream' });
      expect(!none.ok && none.detail).to.match(/^config key nats_servers: /);
      const unknown = resolveConfig({ engine: 'redis' });
      expect(!unknown.ok && unknown.detail).to.match(/^config key engine: /);
      const http = resolveConfig({ engine: 'jetstream', nats_servers: ['http://a:4222'] });
      expect(!http.ok && http.detail).to.match(/^config key nats_servers\/0: /);
    });
  });
});
