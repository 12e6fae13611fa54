import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireDataDirLock, lockFileName } from '../../../storage/data-dir-lock.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

const racer = fileURLToPath(new URL('../../support/lock-racer-child.ts', import.meta.url));

/** A pid that no process has now: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('data dir lock', () => {
  let dir: TempDir;
  beforeEach(() => { dir = makeTempDir('dirlock'); });
  afterEach(() => dir.remove());

  const writeLock = (owner: object) => writeFileSync(join(dir.path, lockFileName), JSON.stringify(owner));

  it('refuses while the owner lives, and frees the dir on release', () => {
    const first = acquireDataDirLock(dir.path);
    if (!first.ok) throw new Error(first.reason);
    const second = acquireDataDirLock(dir.path);
    expect(second).to.deep.include({ ok: false, reason: 'held' });
    expect((second as { owner: { pid: number } }).owner.pid).to.equal(process.pid);
    first.lock.release();
    const third = acquireDataDirLock(dir.path);
    expect(third.ok).to.equal(true);
    if (third.ok) third.lock.release();
  });

  it('takes over a lock whose process is gone, and says whose it was', () => {
    const stale = deadPid();
    writeLock({ pid: stale, host: hostname(), started: '1', since: 1 });
    const taken = acquireDataDirLock(dir.path);
    if (!taken.ok) throw new Error(`not taken: ${taken.reason}`);
    expect(taken.lock.tookOverFrom?.pid).to.equal(stale);
    expect(JSON.parse(readFileSync(join(dir.path, lockFileName), 'utf8')).pid).to.equal(process.pid);
    taken.lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (pid reused after a reboot)', () => {
    writeLock({ pid: process.pid, host: hostname(), started: 'an-earlier-boot', since: 1 });
    const taken = acquireDataDirLock(dir.path);
    expect(taken.ok).to.equal(true);
    if (taken.ok) taken.lock.release();
  });

  it('counts an owner on another host as alive (it cannot be checked from here)', () => {
    writeLock({ pid: deadPid(), host: `not-${hostname()}`, started: null, since: 1 });
    expect(acquireDataDirLock(dir.path)).to.deep.include({ ok: false, reason: 'held' });
  });

  it('takes over an unreadable lock file (it never names a live owner)', () => {
    writeFileSync(join(dir.path, lockFileName), '{"pid":');
    const taken = acquireDataDirLock(dir.path);
    expect(taken.ok).to.equal(true);
    if (taken.ok) taken.lock.release();
  });

  it('lets exactly one of several processes racing over a stale lock win', async function () {
    this.timeout(30_000);
    writeLock({ pid: deadPid(), host: hostname(), started: '1', since: 1 });
    const startAt = Date.now() + 4000;
    const outcomes = await Promise.all([0, 1, 2, 3].map(() => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', racer, dir.path, String(startAt)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
      child.on('error', reject);
      child.on('exit', () => resolve(out.trim()));
    })));
    expect(outcomes.filter((outcome) => outcome === 'won'), outcomes.join(', ')).to.have.length(1);
    expect(outcomes.filter((outcome) => outcome === 'lost held')).to.have.length(3);
  });
});
