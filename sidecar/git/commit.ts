// commit: stage everything and commit it, but only inside the task's path leases.
//
// The leases are the task's `paths` (from task_assign, in the task JSON the sidecar hands the
// agent) plus any extra globs given. A file is inside when it lies under something a lease
// glob matches (storage/path-globs.ts, the hub's own rule). A commit touching anything else
// is refused and the index is put back as it was, unless `force`. A task without paths
// declared no lease, so nothing is checked.
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import { globCovers, parseGlob } from '../../storage/path-globs.ts';
import { git, gitValue } from './git-runner.ts';

export interface CommitInput {
  repoDir: string;
  message: string;
  /** Lease globs; null or empty when the task declared no paths (no check). */
  leases: readonly string[] | null;
  force?: boolean;
}

export interface CommitOutput {
  commit: string;
  files: string[];
  /** Files outside the leases that `force` let through. */
  outside_leases?: string[];
}

/** How many outside files the refusal names; the rest are counted. */
const namedOutside = 20;

export async function commit(input: CommitInput): Promise<Result<CommitOutput>> {
  const { repoDir } = input;
  const staged = await git(repoDir, 'add', '-A');
  if (!staged.ok) return staged;
  // --no-renames: a rename touches its old path as well as its new one.
  const names = await git(repoDir, 'diff', '--cached', '--name-only', '--no-renames', '-z');
  if (!names.ok) return names;
  const files = names.value.stdout.split('\0').filter((name) => name !== '');
  if (files.length === 0) return fail('AC_ERR_GIT', 'nothing to commit');
  const outside = filesOutside(files, input.leases);
  if (outside.length > 0 && !input.force) {
    await git(repoDir, 'reset', '-q');
    const named = outside.slice(0, namedOutside).join(', ');
    return fail('AC_ERR_GIT_OUTSIDE_LEASE', outside.length > namedOutside ? `${named} and ${outside.length - namedOutside} more` : named);
  }
  const committed = await git(repoDir, 'commit', '-q', '-m', input.message);
  if (!committed.ok) return committed;
  const head = await gitValue(repoDir, 'rev-parse', 'HEAD');
  if (!head.ok) return head;
  return ok({ commit: head.value, files, ...(outside.length > 0 ? { outside_leases: outside } : {}) });
}

/** The files no lease covers; none when there are no leases to keep to. */
export function filesOutside(files: readonly string[], leases: readonly string[] | null): string[] {
  if (!leases?.length) return [];
  const globs = leases.map(parseGlob);
  return files.filter((file) => !globs.some((glob) => globCovers(glob, file)));
}
