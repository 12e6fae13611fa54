// A data dir the hub cannot use stops `agentcom start` with one line naming the dir
// and the cause, exit code 2, and no stack trace.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { refusalLines, spawnHub } from '../support/hub-process.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

/** Makes `dir` read-only: a read-only tmpfs as root (root ignores permissions), else chmod. Returns an undo. */
function makeReadOnly(dir: string): (() => void) | null {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]);
  return mounted.status === 0 ? () => void spawnSync('umount', [dir]) : null;
}

describe('data dir: read-only, not a folder, or not creatable (real processes)', function () {
  this.timeout(60_000);
  let root: TempDir;
  let undo: (() => void) | null = null;

  beforeEach(() => { root = makeTempDir('unusable'); });
  afterEach(() => {
    undo?.();
    undo = null;
    root.remove();
  });

  it('refuses each with one clear line and exit code 2', async function () {
    const aFile = join(root.path, 'a-file');
    writeFileSync(aFile, 'not a folder');
    const readOnly = join(root.path, 'read-only');
    mkdirSync(readOnly);
    undo = makeReadOnly(readOnly);

    const cases = [
      { dir: aFile, expected: /^agentcom: AC_ERR_DATA_DIR_UNUSABLE: data dir .*a-file cannot be used: it is not a folder$/ },
      { dir: join(aFile, 'data'), expected: /^agentcom: AC_ERR_DATA_DIR_UNUSABLE: data dir .*a-file\/data cannot be used: cannot be created \(a parent is not a folder, ENOTDIR\)$/ },
      ...(undo ? [{ dir: readOnly, expected: /^agentcom: AC_ERR_DATA_DIR_UNUSABLE: data dir .*read-only cannot be used: is not writable \((read-only file system, EROFS|permission denied, EACCES)\)$/ }] : []),
    ];
    if (!undo) console.log('      (read-only case skipped: cannot mount a read-only tmpfs here)');
    const outcomes = await Promise.all(cases.map(async ({ dir }) => {
      const hub = spawnHub(['--port', '0', '--data-dir', dir]);
      return { exit: await hub.exited(), lines: refusalLines(hub) };
    }));
    outcomes.forEach(({ exit, lines }, i) => {
      expect(exit.code, lines.join('\n')).to.equal(2);
      expect(lines, 'exactly one line on stderr').to.have.length(1);
      expect(lines[0]).to.match(cases[i]!.expected);
    });
  });
});
