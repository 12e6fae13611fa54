// submit: push the task branch and open a pull request when gh can.
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import { slugify, agentSlugMaxChars } from './branch-name.ts';
import { compareUrlFor } from './compare-url.ts';
import { git, gitValue, runCommand } from './git-runner.ts';

export interface SubmitTask {
  task_id?: string;
  description?: string;
  metadata?: Record<string, unknown>;
}

export interface SubmitInput {
  repoDir: string;
  agentId?: string;
  task?: SubmitTask;
  reviewer?: string;
  /** The gh binary; tests point it at a path that does not exist. */
  ghCommand?: string;
}

export interface SubmitOutput {
  branch: string;
  /** The pushed commit. */
  commit: string;
  commits_ahead: number;
  pr_url: string | null;
  compare_url: string | null;
  pr_warning?: string;
}

const protectedBranches = new Set(['main', 'master', 'HEAD']);
const prTitleMaxChars = 60;

export async function submit(input: SubmitInput): Promise<Result<SubmitOutput>> {
  const { repoDir } = input;
  const branch = await gitValue(repoDir, 'rev-parse', '--abbrev-ref', 'HEAD');
  if (!branch.ok) return branch;
  if (protectedBranches.has(branch.value)) return fail('AC_ERR_GIT_ON_MAIN', branch.value);

  // A failed fetch is not fatal here: the push below reports a missing origin plainly.
  await git(repoDir, 'fetch', 'origin');
  const ahead = await gitValue(repoDir, 'rev-list', '--count', 'refs/remotes/origin/main..HEAD');
  if (!ahead.ok) return fail('AC_ERR_GIT_NO_ORIGIN_MAIN', ahead.detail);
  const commitsAhead = Number(ahead.value);
  if (commitsAhead === 0) return fail('AC_ERR_GIT_NOTHING_TO_SUBMIT', branch.value);

  // --force-with-lease: a re-submit after an amend goes through, but never over
  // commits someone else pushed to the branch meanwhile.
  const pushed = await git(repoDir, 'push', '--force-with-lease', '--set-upstream', 'origin', `${branch.value}:refs/heads/${branch.value}`);
  if (!pushed.ok) return pushed;

  const commit = await gitValue(repoDir, 'rev-parse', 'HEAD');
  if (!commit.ok) return commit;
  const originUrl = await gitValue(repoDir, 'remote', 'get-url', 'origin');
  const compareUrl = originUrl.ok ? compareUrlFor(originUrl.value, branch.value) : null;
  const output: SubmitOutput = { branch: branch.value, commit: commit.value, commits_ahead: commitsAhead, pr_url: null, compare_url: compareUrl };

  const gh = input.ghCommand ?? 'gh';
  if (!(await ghUsable(gh, repoDir))) return ok(output);
  const pr = await openPullRequest(gh, input, branch.value);
  if (pr.ok) output.pr_url = pr.value;
  else output.pr_warning = pr.detail;
  return ok(output);
}

async function ghUsable(gh: string, repoDir: string): Promise<boolean> {
  const version = await runCommand(gh, ['--version'], repoDir);
  if (!version.ok) return false;
  const auth = await runCommand(gh, ['auth', 'status'], repoDir);
  return auth.ok;
}

async function openPullRequest(gh: string, input: SubmitInput, branch: string): Promise<Result<string>> {
  const task = input.task ?? {};
  const agent = input.agentId ?? 'unknown';
  const priority = typeof task.metadata?.priority === 'string' ? task.metadata.priority : 'normal';
  const description = task.description?.trim() || task.task_id || branch;
  const metadata = Object.keys(task.metadata ?? {}).length > 0 ? ['', 'Metadata:', '```json', JSON.stringify(task.metadata, null, 2), '```'] : [];
  const body = [
    `Task: ${task.task_id ?? 'unknown'}`,
    `Agent: ${agent}`,
    `Priority: ${priority}`,
    '',
    description,
    ...metadata,
  ].join('\n');
  const base = ['pr', 'create', '--head', branch, '--base', 'main', '--title', prTitle(description), '--body', body];
  if (input.reviewer) base.push('--reviewer', input.reviewer);
  const labels = ['--label', `agent:${slugify(agent, agentSlugMaxChars) || 'agent'}`, '--label', `priority:${priority}`];

  let created = await runCommand(gh, [...base, ...labels], input.repoDir);
  // Labels that do not exist in the repository make gh refuse; a PR without them beats none.
  if (!created.ok) created = await runCommand(gh, base, input.repoDir);
  if (!created.ok) return created;
  const url = created.value.stdout.trim().split('\n').pop() ?? '';
  return url ? ok(url) : fail('AC_ERR_GIT', 'gh pr create printed no URL');
}

export function prTitle(description: string): string {
  const oneLine = description.replace(/\s+/g, ' ').trim();
  return oneLine.length > prTitleMaxChars ? `${oneLine.slice(0, prTitleMaxChars - 3)}...` : oneLine;
}
