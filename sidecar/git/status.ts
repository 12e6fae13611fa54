// status: where the task branch stands against origin/main.
import { ok, type Result } from '../../storage/domain/errors.ts';
import { git, gitValue } from './git-runner.ts';

export interface StatusOutput {
  branch: string;
  commits_ahead: number | null;
  diff_from_main: string;
  uncommitted_changes: string[];
  is_clean: boolean;
  non_conventional_commits: string[];
}

const conventionalSubject = /^(feat|fix|docs|style|refactor|perf|test|build|ci|chore|revert)(\([^)]+\))?!?: .+/;

export async function status(repoDir: string): Promise<Result<StatusOutput>> {
  const branch = await gitValue(repoDir, 'rev-parse', '--abbrev-ref', 'HEAD');
  if (!branch.ok) return branch;
  // Raw stdout: porcelain lines start with a significant space (" M file").
  const porcelain = await git(repoDir, 'status', '--porcelain');
  if (!porcelain.ok) return porcelain;
  const uncommitted = porcelain.value.stdout.split('\n').filter((line) => line !== '');

  // Without origin/main (never fetched) the rest is unknown rather than an error.
  const ahead = await gitValue(repoDir, 'rev-list', '--count', 'refs/remotes/origin/main..HEAD');
  const diff = ahead.ok ? await gitValue(repoDir, 'diff', '--stat', 'refs/remotes/origin/main...HEAD') : null;
  const subjects = ahead.ok ? await gitValue(repoDir, 'log', '--format=%s', 'refs/remotes/origin/main..HEAD') : null;
  const subjectList = subjects?.ok && subjects.value !== '' ? subjects.value.split('\n') : [];

  return ok({
    branch: branch.value,
    commits_ahead: ahead.ok ? Number(ahead.value) : null,
    diff_from_main: diff?.ok ? diff.value : '',
    uncommitted_changes: uncommitted,
    is_clean: uncommitted.length === 0,
    non_conventional_commits: subjectList.filter((subject) => !conventionalSubject.test(subject)),
  });
}
