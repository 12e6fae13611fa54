// agentcom-git commit in a real git repository: a commit that touches files outside the
// task's path leases is refused (and the index put back) unless --force.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const identity = {
  GIT_AUTHOR_NAME: 'Test Agent',
  GIT_AUTHOR_EMAIL: 'agent@example.invalid',
  GIT_COMMITTER_NAME: 'Test Agent',
  GIT_COMMITTER_EMAIL: 'agent@example.invalid',
};
const gitBin = path.resolve('sidecar/bin/agentcom-git.mjs');

describe('agentcom-git commit keeps to the task\'s leases (real git repo)', () => {
  let dir: TempDir;
  let repo: string;

  const sh = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...identity } }).trim();
  const write = (name: string, text = `${name}\n`) => {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), text);
  };
  const run = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: any }> => new Promise((resolve) => {
    execFile(process.execPath, [gitBin, ...args], { cwd: repo, env: { ...process.env, ...identity, ...env } }, (error, stdout) => {
      resolve({ code: error ? Number(error.code) : 0, out: JSON.parse(stdout) });
    });
  });
  const task = (paths: string[]) => JSON.stringify({ task_id: 'task-1', description: 'edit', metadata: {}, paths });

  beforeEach(() => {
    dir = makeTempDir('git-leases');
    repo = dir.path;
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    write('README.md');
    write('src/app.ts');
    write('docs/guide.md');
    sh('add', '-A');
    sh('commit', '-q', '-m', 'seed');
  });
  afterEach(() => dir.remove());

  it('commits changes inside the leases (task JSON from the environment, as the sidecar sets it)', async () => {
    write('src/app.ts', 'changed\n');
    write('src/new/file.ts');
    const { code, out } = await run(['commit', '-m', 'inside'], { AGENTCOM_TASK_JSON: task(['src/**']) });
    expect(code).to.equal(0);
    expect(out).to.deep.include({ status: 'ok', files: ['src/app.ts', 'src/new/file.ts'] });
    expect(sh('log', '-1', '--format=%s')).to.equal('inside');
  });

  it('refuses a commit touching a file outside the leases, names it, and leaves nothing staged or committed', async () => {
    write('src/app.ts', 'changed\n');
    write('docs/guide.md', 'changed too\n');
    const { code, out } = await run(['commit', '-m', 'too wide', '--task-json', task(['src/**'])]);
    expect(code).to.equal(1);
    expect(out).to.include({ status: 'error', code: 'AC_ERR_GIT_OUTSIDE_LEASE' });
    expect(out.error).to.contain('docs/guide.md').and.not.contain('src/app.ts');
    expect(sh('log', '-1', '--format=%s')).to.equal('seed');
    expect(sh('diff', '--cached', '--name-only')).to.equal('');
    expect(sh('status', '--porcelain').split('\n')).to.have.length(2);
  });

  it('counts the old path of a rename as touched', async () => {
    renameSync(path.join(repo, 'docs/guide.md'), path.join(repo, 'src/guide.md'));
    const { code, out } = await run(['commit', '-m', 'move', '--task-json', task(['src/**'])]);
    expect(code).to.equal(1);
    expect(out.error).to.contain('docs/guide.md');
  });

  it('lets --force through, and reports what was outside', async () => {
    write('README.md', 'changed\n');
    const { code, out } = await run(['commit', '-m', 'forced', '--force', '--task-json', task(['src/**'])]);
    expect(code).to.equal(0);
    expect(out.outside_leases).to.deep.equal(['README.md']);
  });

  it('takes extra leases with --lease, and checks nothing for a task without paths', async () => {
    write('docs/guide.md', 'changed\n');
    expect((await run(['commit', '-m', 'extra', '--task-json', task(['src/**']), '--lease', 'docs/**'])).code).to.equal(0);
    write('README.md', 'again\n');
    expect((await run(['commit', '-m', 'no paths', '--task-json', JSON.stringify({ task_id: 't' })])).code).to.equal(0);
  });
});
