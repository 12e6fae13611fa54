// The files an agent leaves in results_dir, and what they mean.
//   <task_id>.started   the agent has started (confirms the wake)
//   <task_id>.progress  the agent is alive; forwarded as task_progress, then removed
//   <task_id>.json      the outcome: {status:"success",output,…} or {status,reason|error}
//   <task_id>.rate_limited.json  the agent's provider refused it: {until} (epoch ms or an ISO date) or
//                       {retry_after_ms}; the sidecar reports agent_rate_limited and removes the file,
//                       and wakes the agent again on the same task when the hub says task_resume.
// A .progress file may hold {tokens_used} (cumulative); it is sent with task_progress.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './write-file-atomic.ts';

export type ResultFileKind = 'started' | 'progress' | 'result' | 'rate_limited';

const extensions: Record<ResultFileKind, string> = { started: '.started', progress: '.progress', result: '.json', rate_limited: '.rate_limited.json' };

/** Until when a rate-limit file parks the agent (epoch ms), or null when the file says nothing usable. */
export function parseRateLimitText(text: string, now: number): number | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { until, retry_after_ms: retryAfterMs } = parsed as { until?: unknown; retry_after_ms?: unknown };
  if (typeof until === 'number' && Number.isInteger(until) && until >= 0) return until;
  if (typeof until === 'string' && !Number.isNaN(Date.parse(until))) return Date.parse(until);
  if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return now + Math.round(retryAfterMs);
  return null;
}

export function resultFilePath(resultsDir: string, taskId: string, kind: ResultFileKind): string {
  return path.join(resultsDir, `${taskId}${extensions[kind]}`);
}

export type TaskOutcome =
  | { kind: 'success'; result: Record<string, unknown> }
  | { kind: 'failure'; reason: string; result: Record<string, unknown> | null };

/** Reads a result file's text. Anything that is not an object with a string `status` is a parse error. */
export function parseResultText(text: string): TaskOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'failure', reason: `result_parse_error: ${(error as Error).message}`, result: null };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'failure', reason: 'result_parse_error: the file must hold a JSON object', result: null };
  }
  const result = parsed as Record<string, unknown>;
  if (typeof result.status !== 'string') {
    return { kind: 'failure', reason: 'result_parse_error: status must be a string', result: null };
  }
  if (result.status === 'success') return { kind: 'success', result };
  const reason = textOf(result.reason) ?? textOf(result.error) ?? `status ${result.status}`;
  return { kind: 'failure', reason, result };
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (value !== undefined && value !== null && typeof value !== 'string') return JSON.stringify(value);
  return null;
}

export type ReportKind = 'started' | 'progress' | 'success' | 'failed';

/** What `agentcom-sidecar report` writes; atomic, so the watcher never sees half a file. */
export async function writeReport(
  resultsDir: string,
  taskId: string,
  kind: ReportKind,
  details: { output?: string; reason?: string },
): Promise<string> {
  const at = Date.now();
  let filePath: string;
  let body: Record<string, unknown>;
  if (kind === 'started' || kind === 'progress') {
    filePath = resultFilePath(resultsDir, taskId, kind);
    body = { at, ...(details.output !== undefined ? { output: details.output } : {}) };
  } else {
    filePath = resultFilePath(resultsDir, taskId, 'result');
    body =
      kind === 'success'
        ? { status: 'success', output: details.output ?? '', at }
        : { status: 'failed', reason: details.reason ?? 'failed', ...(details.output !== undefined ? { output: details.output } : {}), at };
  }
  await mkdir(resultsDir, { recursive: true });
  await writeFileAtomic(filePath, `${JSON.stringify(body)}\n`);
  return filePath;
}
