// The proof that a new agent works, as the original `add-agent` gave it: an urgent test task
// (metadata.onboarding_test) that the new agent must complete within a timeout. With an admin
// token the task is pushed straight to the new agent; without one it goes into the urgent
// lane, and the answer names whichever agent completed it.
import { hubRequest } from './hub-request.ts';

export interface OnboardingTestOptions {
  hubUrl: string;
  agentId: string;
  agentToken: string;
  adminToken?: string;
  timeoutMs: number;
  /** One progress line, rewritten or repeated by the caller. */
  progress?: (line: string) => void;
  pollMs?: number;
}

export interface OnboardingTestOutcome {
  works: boolean;
  task_id: string | null;
  status: string;
  completed_by: string | null;
  elapsed_ms: number;
  detail: string;
}

export const onboardingTestDescription = 'AgentCom onboarding test: report success without changing anything.';

export async function runOnboardingTest(options: OnboardingTestOptions): Promise<OnboardingTestOutcome> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 500;
  const elapsed = () => Date.now() - started;
  const outcome = (works: boolean, taskId: string | null, status: string, completedBy: string | null, detail: string): OnboardingTestOutcome =>
    ({ works, task_id: taskId, status, completed_by: completedBy, elapsed_ms: elapsed(), detail });

  // The sidecar first has to connect: until then a push has nobody to go to.
  while (elapsed() < options.timeoutMs) {
    const state = await hubRequest(options.hubUrl, 'GET', `/api/agents/${encodeURIComponent(options.agentId)}/state`, { token: options.agentToken });
    if (state.ok && state.response.status === 200 && state.response.body?.fsm_state !== 'offline') break;
    options.progress?.(`waiting for ${options.agentId} to connect (${Math.round(elapsed() / 1000)} s)`);
    await sleep(pollMs);
  }
  if (elapsed() >= options.timeoutMs) return outcome(false, null, 'not_connected', null, `the sidecar did not connect within ${options.timeoutMs / 1000} s`);

  const metadata = { onboarding_test: true, target_agent: options.agentId };
  let submitted = options.adminToken
    ? await hubRequest(options.hubUrl, 'POST', '/api/admin/push-task', {
      token: options.adminToken, body: { agent_id: options.agentId, description: onboardingTestDescription, metadata },
    })
    : null;
  // No admin token, or one the hub refuses (an agent token in AGENTCOM_TOKEN): the urgent lane instead.
  if (!submitted || (submitted.ok && (submitted.response.status === 401 || submitted.response.status === 403))) {
    submitted = await hubRequest(options.hubUrl, 'POST', '/api/tasks', {
      token: options.agentToken, body: { description: onboardingTestDescription, priority: 'urgent', metadata, max_retries: 0 },
    });
  }
  if (!submitted.ok) return outcome(false, null, 'not_submitted', null, submitted.reason);
  const taskId = submitted.response.body?.task_id;
  if (typeof taskId !== 'string') return outcome(false, null, 'not_submitted', null, `the hub answered ${submitted.response.status}`);

  let last: Record<string, any> | null = null;
  while (elapsed() < options.timeoutMs) {
    const read = await hubRequest(options.hubUrl, 'GET', `/api/tasks/${taskId}`, { token: options.agentToken });
    if (read.ok && read.response.status === 200) last = read.response.body;
    const status = String(last?.status ?? 'unknown');
    if (status === 'completed') {
      const by = completedBy(last);
      return by === options.agentId || by === null
        ? outcome(true, taskId, status, by, `completed in ${(elapsed() / 1000).toFixed(1)} s`)
        : outcome(false, taskId, status, by, `another agent (${by}) completed it; ${options.agentId} was not tested`);
    }
    if (status === 'dead_letter' || status === 'cancelled') {
      return outcome(false, taskId, status, null, `the task ended ${status}${last?.last_error ? `: ${String(last.last_error)}` : ''}`);
    }
    options.progress?.(`waiting for ${options.agentId} to finish the onboarding test task ${taskId}: ${status} (${Math.round(elapsed() / 1000)} s)`);
    await sleep(pollMs);
  }
  return outcome(false, taskId, String(last?.status ?? 'unknown'), null, `not completed within ${options.timeoutMs / 1000} s`);
}

/** The agent named by the task's `completed` history entry. */
function completedBy(task: Record<string, any> | null): string | null {
  const entry = (task?.history as Array<{ event: string; details: Record<string, unknown> }> | undefined)?.find((item) => item.event === 'completed');
  return typeof entry?.details.agent_id === 'string' ? entry.details.agent_id : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
