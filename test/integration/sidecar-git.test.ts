import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTask } from '../../sidecar/git/start-task.ts';
import { status } from '../../sidecar/git/status.ts';
import { submit } from '../../sidecar/git/submit.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const identity = {
  GIT_AUTHOR_NAME: 'Test Agent',
  GIT_AUTHOR_EMAIL: 'agent@example.invalid',
  GIT_COMMITTER_NAME: 'Test Agent',
  GIT_COMMITTER_EMAIL: 'agent@example.invalid',
};
const gitBin = path.resolve('sidecar/bin/agentcom-git.mjs');
const noGh = '/nonexistent/gh';

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...identity } }).trim();
}

function commitFile(repo: string, name: string, message: string): void {
  writeFileSync(path.join(repo, name), `${name}\n`);
  sh(repo, 'add', name);
  sh(repo, 'commit', '-q', '-m', message);
}

describe('agentcom-git against a real origin', () => {
  let dir: TempDir;
  let origin: string;
  let repo: string;
  const savedEnv: Record<string, string | undefined> = {};

  before(() => {
    // Our git runner inherits the environment; commits need an identity.
    for (const [key, value] of Object.entries(identity)) {
      savedEnv[key] = process.env[key];
      process.env[key] = value;
    }
  });
  after(() => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  beforeEach(() => {
    dir = makeTempDir('sidecar-git');
    origin = path.join(dir.path, 'origin.git');
    repo = path.join(dir.path, 'repo');
    sh(dir.path, 'init', '-q', '--bare', '-b', 'main', origin);
    const seed = path.join(dir.path, 'seed');
    sh(dir.path, 'init', '-q', '-b', 'main', seed);
    commitFile(seed, 'README.md', 'chore: seed');
    sh(seed, 'push', '-q', origin, 'main');
    sh(dir.path, 'clone', '-q', origin, repo);
  });
  afterEach(() => dir.remove());

  describe('start-task', () => {
    it('creates <agent-slug>/<task-slug> from origin/main, even from a hostile title', async () => {
      const result = await startTask({ repoDir: repo, agentId: 'gcu-Sleeper-Service', taskId: 'task-1', description: '"; rm -rf ~ $(id) ..//x.lock~^:' });
      if (!result.ok) throw new Error(result.detail);
      expect(result.value.branch).to.equal('gcu-sleeper-service/rm-rf-id-x-lock');
      expect(sh(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).to.equal(result.value.branch);
      expect(result.value.base_commit).to.equal(sh(repo, 'rev-parse', 'origin/main'));
    });

    it('adds a numeric suffix rather than replacing an existing branch', async () => {
      const first = await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'same title' });
      commitFile(repo, 'work.txt', 'feat: keep me');
      const kept = sh(repo, 'rev-parse', 'HEAD');
      const second = await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'same title' });
      expect(first.ok && first.value.branch).to.equal('a/same-title');
      expect(second.ok && second.value.branch).to.equal('a/same-title-2');
      expect(sh(repo, 'rev-parse', 'a/same-title')).to.equal(kept);
    });

    it('refuses a dirty working tree and stays on its branch', async () => {
      writeFileSync(path.join(repo, 'scratch.txt'), 'unsaved');
      const result = await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'x' });
      expect(result).to.deep.include({ ok: false, code: 'AC_ERR_GIT_DIRTY_TREE' });
      expect(sh(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).to.equal('main');
    });

    it('refuses when origin cannot be reached', async () => {
      sh(repo, 'remote', 'set-url', 'origin', path.join(dir.path, 'gone.git'));
      const result = await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'x' });
      expect(result).to.deep.include({ ok: false, code: 'AC_ERR_GIT_NO_ORIGIN_MAIN' });
    });

    it('refuses when origin has no main branch', async () => {
      const empty = path.join(dir.path, 'empty.git');
      sh(dir.path, 'init', '-q', '--bare', empty);
      sh(repo, 'remote', 'set-url', 'origin', empty);
      sh(repo, 'update-ref', '-d', 'refs/remotes/origin/main');
      const result = await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'x' });
      expect(result).to.deep.include({ ok: false, code: 'AC_ERR_GIT_NO_ORIGIN_MAIN' });
    });
  });

  describe('submit', () => {
    it('pushes the branch to origin and returns no PR when gh is absent', async () => {
      await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'add feature' });
      commitFile(repo, 'feature.txt', 'feat: add feature');
      const result = await submit({ repoDir: repo, agentId: 'a', task: { task_id: 't', description: 'add feature' }, ghCommand: noGh });
      expect(result).to.deep.equal({
        ok: true,
        value: {
          branch: 'a/add-feature', commit: sh(repo, 'rev-parse', 'HEAD'), commits_ahead: 1, pr_url: null,
          compare_url: `file://${origin}#main...a/add-feature`,
        },
      });
      const remote = sh(dir.path, 'ls-remote', origin, 'refs/heads/a/add-feature');
      expect(remote.split('\t')[0]).to.equal(sh(repo, 'rev-parse', 'HEAD'));
    });

    it('opens the PR with gh: exact title, body with the task metadata, reviewer and labels', async () => {
      // A recording stand-in for gh: logs each argv as a JSON line and answers like gh does.
      const ghLog = path.join(dir.path, 'gh-calls.jsonl');
      const gh = path.join(dir.path, 'gh');
      writeFileSync(gh, `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(ghLog)}, JSON.stringify(args) + '\\n');
if (args[0] === 'pr' && args[1] === 'create') console.log('https://github.com/acme/hub/pull/42');
`, { mode: 0o755 });
      await startTask({ repoDir: repo, agentId: 'gcu-grey-area', taskId: 'task-00000000000000a1', description: 'add feature' });
      commitFile(repo, 'feature.txt', 'feat: add feature');
      const task = { task_id: 'task-00000000000000a1', description: 'Add a feature that is described at some length, more than sixty characters', metadata: { priority: 'high', ticket: 'ENG-7' } };
      const result = await submit({ repoDir: repo, agentId: 'gcu-grey-area', reviewer: 'octocat', task, ghCommand: gh });
      expect(result.ok && result.value.pr_url).to.equal('https://github.com/acme/hub/pull/42');
      const calls = readFileSync(ghLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);
      expect(calls.slice(0, 2)).to.deep.equal([['--version'], ['auth', 'status']]);
      expect(calls[2]).to.deep.equal([
        'pr', 'create', '--head', 'gcu-grey-area/add-feature', '--base', 'main',
        '--title', 'Add a feature that is described at some length, more than...',
        '--body', [
          'Task: task-00000000000000a1', 'Agent: gcu-grey-area', 'Priority: high', '',
          'Add a feature that is described at some length, more than sixty characters', '',
          'Metadata:', '```json', JSON.stringify(task.metadata, null, 2), '```',
        ].join('\n'),
        '--reviewer', 'octocat', '--label', 'agent:gcu-grey-area', '--label', 'priority:high',
      ]);
      expect(calls).to.have.length(3);
    });

    it('refuses to submit from main', async () => {
      commitFile(repo, 'oops.txt', 'feat: on main');
      const result = await submit({ repoDir: repo, ghCommand: noGh });
      expect(result).to.deep.include({ ok: false, code: 'AC_ERR_GIT_ON_MAIN' });
      expect(sh(dir.path, 'ls-remote', origin, 'refs/heads/main').split('\t')[0]).to.not.equal(sh(repo, 'rev-parse', 'HEAD'));
    });

    it('refuses a branch with no commits ahead of origin/main', async () => {
      await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'nothing yet' });
      const result = await submit({ repoDir: repo, ghCommand: noGh });
      expect(result).to.deep.include({ ok: false, code: 'AC_ERR_GIT_NOTHING_TO_SUBMIT' });
      expect(sh(dir.path, 'ls-remote', origin, 'refs/heads/a/nothing-yet')).to.equal('');
    });
  });

  describe('status', () => {
    it('reports the branch, commits ahead, the diff stat and uncommitted changes', async () => {
      await startTask({ repoDir: repo, agentId: 'a', taskId: 't', description: 'status check' });
      commitFile(repo, 'one.txt', 'feat: one');
      commitFile(repo, 'two.txt', 'two without a type');
      writeFileSync(path.join(repo, 'README.md'), 'changed\n');
      const result = await status(repo);
      if (!result.ok) throw new Error(result.detail);
      expect(result.value).to.deep.include({ branch: 'a/status-check', commits_ahead: 2, is_clean: false });
      expect(result.value.uncommitted_changes).to.deep.equal([' M README.md']);
      expect(result.value.diff_from_main).to.contain('2 files changed');
      expect(result.value.non_conventional_commits).to.deep.equal(['two without a type']);
    });
  });

  describe('the command line', () => {
    function runCli(...args: string[]): Promise<{ code: number; stdout: string }> {
      return new Promise((resolve) => {
        execFile(process.execPath, [gitBin, ...args], { cwd: repo, env: { ...process.env, ...identity } }, (error, stdout) => {
          resolve({ code: error ? Number(error.code) : 0, stdout });
        });
      });
    }

    it('prints one JSON line and exits 0 on success', async () => {
      const { code, stdout } = await runCli('start-task', 'task-9', '--description', 'cli run', '--agent', 'gcu-cli');
      expect(code).to.equal(0);
      expect(stdout.trim().split('\n')).to.have.length(1);
      expect(JSON.parse(stdout)).to.deep.include({ status: 'ok', branch: 'gcu-cli/cli-run' });
    });

    it('prints {status:"error", error, code} and exits 1 on refusal', async () => {
      const { code, stdout } = await runCli('submit');
      expect(code).to.equal(1);
      expect(JSON.parse(stdout)).to.deep.equal({ status: 'error', error: 'refusing to submit from branch main', code: 'AC_ERR_GIT_ON_MAIN' });
    });

    it('accepts the original single JSON argument', async () => {
      const { stdout } = await runCli('start-task', JSON.stringify({ agent_id: 'old-agent', task_id: 't', description: 'legacy call' }));
      expect(JSON.parse(stdout)).to.deep.include({ status: 'ok', branch: 'old-agent/legacy-call' });
    });
  });
});
