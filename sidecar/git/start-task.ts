// start-task: a fresh branch from origin/main for one task, on a clean tree.
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import { branchNameFor, firstFreeBranch } from './branch-name.ts';
import { git, gitValue } from './git-runner.ts';

export interface StartTaskInput {
  repoDir: string;
  agentId: string;
  taskId: string;
  description: string;
}

export interface StartTaskOutput {
  branch: string;
  base_commit: string;
  repo_dir: string;
}

export async function startTask(input: StartTaskInput): Promise<Result<StartTaskOutput>> {
  const { repoDir } = input;
  const porcelain = await gitValue(repoDir, 'status', '--porcelain');
  if (!porcelain.ok) return porcelain;
  if (porcelain.value !== '') return fail('AC_ERR_GIT_DIRTY_TREE', repoDir);

  const fetched = await git(repoDir, 'fetch', '--prune', 'origin');
  if (!fetched.ok) return fail('AC_ERR_GIT_NO_ORIGIN_MAIN', fetched.detail);
  const base = await gitValue(repoDir, 'rev-parse', '--verify', '--quiet', 'refs/remotes/origin/main^{commit}');
  if (!base.ok) return fail('AC_ERR_GIT_NO_ORIGIN_MAIN', 'origin has no main branch');

  const taken = await branchesInUse(repoDir);
  if (!taken.ok) return taken;
  const branch = firstFreeBranch(branchNameFor(input.agentId, input.taskId, input.description), taken.value);

  const created = await git(repoDir, 'checkout', '--no-track', '-b', branch, 'refs/remotes/origin/main');
  if (!created.ok) return created;
  return ok({ branch, base_commit: base.value, repo_dir: repoDir });
}

/** Local branches and origin's, so a new branch never collides with either. */
async function branchesInUse(repoDir: string): Promise<Result<Set<string>>> {
  const refs = await gitValue(repoDir, 'for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/remotes/origin');
  if (!refs.ok) return refs;
  const names = new Set<string>();
  for (const ref of refs.value.split('\n')) {
    if (ref.startsWith('refs/heads/')) names.add(ref.slice('refs/heads/'.length));
    else if (ref.startsWith('refs/remotes/origin/')) names.add(ref.slice('refs/remotes/origin/'.length));
  }
  return ok(names);
}
