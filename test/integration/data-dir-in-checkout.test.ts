// The default data dir sits inside the checkout, where `git clean -xdf` deletes it:
// the first start there says so on stderr, and every start logs a warning.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { spawnHub } from '../support/hub-process.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

describe('data dir inside a git checkout (real process)', function () {
  this.timeout(60_000);
  let checkout: TempDir;
  beforeEach(() => {
    checkout = makeTempDir('checkout');
    spawnSync('git', ['init', '-q', checkout.path]);
  });
  afterEach(() => checkout.remove());

  it('warns at first start, naming the checkout and git clean', async () => {
    const hub = spawnHub(['--port', '0', '--data-dir', join(checkout.path, 'data')]);
    try {
      await hub.ready();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(hub.stderr()).to.include(`is inside the git checkout ${checkout.path}:`);
      expect(hub.stderr()).to.include('`git clean -xdf` there deletes the queue');
      const logged = hub.stdout().split('\n').filter((line) => line.includes('data dir is inside a git checkout'));
      expect(logged, 'a warning log line').to.have.length(1);
      expect(JSON.parse(logged[0]!)).to.include({ level: 'warning', checkout: checkout.path });
    } finally {
      hub.kill('SIGKILL');
      await hub.exited();
    }
  });
});
