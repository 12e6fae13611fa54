// The git workflow around one task: a branch on accept, a push and PR on success.
// Git trouble never costs the task; it is recorded as a warning instead.
import type { Result } from '../storage/domain/errors.ts';
import type { StartTaskInput, StartTaskOutput } from './git/start-task.ts';
import type { SubmitInput, SubmitOutput } from './git/submit.ts';
import type { SidecarConfig } from './sidecar-config.ts';
import type { SidecarLogger } from './sidecar-logger.ts';
import type { LocalTask } from './task-queue-file.ts';

export interface GitWorkflow {
  startTask(input: StartTaskInput): Promise<Result<StartTaskOutput>>;
  submit(input: SubmitInput): Promise<Result<SubmitOutput>>;
}

/** Sets `task.branch`, or `task.git_warning` when start-task refused. */
/** The onboarding test task (`agentcom agent add`) proves the agent answers; it leaves no branch behind. */
const usesGit = (config: SidecarConfig, task: LocalTask): boolean => Boolean(config.repo_dir) && task.metadata?.onboarding_test !== true;

export async function createTaskBranch(git: GitWorkflow, config: SidecarConfig, task: LocalTask, log: SidecarLogger): Promise<void> {
  if (!usesGit(config, task) || !config.repo_dir) return;
  const started = await git.startTask({ repoDir: config.repo_dir, agentId: config.agent_id, taskId: task.task_id, description: task.description });
  if (started.ok) {
    task.branch = started.value.branch;
    log.info('task branch created', { task_id: task.task_id, branch: started.value.branch });
  } else {
    task.git_warning = started.detail;
    log.warn('git start-task failed', { task_id: task.task_id, code: started.code, detail: started.detail });
  }
}

/**
 * Pushes the task branch and returns the result saying where the work is: `branch`, `commit`,
 * `compare_url` and `pr_url` (null when no PR was opened), or `git_warning` when the push failed.
 */
export async function submitTaskBranch(
  git: GitWorkflow,
  config: SidecarConfig,
  task: LocalTask,
  result: Record<string, unknown>,
  log: SidecarLogger,
): Promise<Record<string, unknown>> {
  if (!usesGit(config, task) || !config.repo_dir) return result;
  const submitted = await git.submit({
    repoDir: config.repo_dir,
    agentId: config.agent_id,
    reviewer: config.reviewer,
    task: { task_id: task.task_id, description: task.description, metadata: task.metadata },
  });
  if (!submitted.ok) {
    log.warn('git submit failed', { task_id: task.task_id, code: submitted.code, detail: submitted.detail });
    return { ...result, branch: task.branch ?? null, pr_url: null, git_warning: submitted.detail };
  }
  const { branch, commit, compare_url: compareUrl, pr_url: prUrl, pr_warning: prWarning } = submitted.value;
  log.info('branch submitted', { task_id: task.task_id, branch, commit, pr_url: prUrl });
  return { ...result, branch, commit, compare_url: compareUrl, pr_url: prUrl, ...(prWarning ? { pr_warning: prWarning } : {}) };
}
