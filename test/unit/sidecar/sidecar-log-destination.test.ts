import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createSidecarLogger, logDestination } from '../../../sidecar/sidecar-logger.ts';
import { makeTempDir } from '../../support/temp-dir.ts';

describe('sidecar log destination', () => {
  it('logs once: stdout under pm2 or systemd, else the rotated file', () => {
    expect(logDestination({ logFile: '/x.log', env: { pm_id: '3' } })).to.equal('stdout');
    expect(logDestination({ logFile: '/x.log', env: { INVOCATION_ID: 'abc' } })).to.equal('stdout');
    expect(logDestination({ logFile: '/x.log', env: {} })).to.equal('file');
    expect(logDestination({ env: {} })).to.equal('stdout');
    expect(logDestination({ logFile: '/x.log', output: 'file', env: { pm_id: '3' } })).to.equal('file');
    expect(logDestination({ logFile: '/x.log', output: 'stdout', env: {} })).to.equal('stdout');
  });

  it('writes no file under a process manager', async () => {
    const dir = makeTempDir('sidecar-log');
    try {
      const logFile = path.join(dir.path, 'sidecar.log');
      const underPm2 = createSidecarLogger({ agentId: 'a', token: 't', logFile, env: { pm_id: '0' }, level: 'error' });
      underPm2.close();
      expect(existsSync(logFile)).to.equal(false);
      const alone = createSidecarLogger({ agentId: 'a', token: 'secret-token', logFile, env: {} });
      await new Promise<void>((resolve) => {
        alone.on('finish', () => resolve());
        alone.info('hello', { detail: 'has secret-token inside' });
        alone.end();
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const line = JSON.parse(readFileSync(logFile, 'utf8').trim());
      expect(line).to.include({ message: 'hello', agent_id: 'a', detail: 'has [redacted] inside' });
    } finally {
      dir.remove();
    }
  });
});
