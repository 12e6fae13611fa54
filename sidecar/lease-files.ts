// The files of an agent's extra path leases, beside its result files in results_dir:
//   <task_id>.lease.json         the agent asks: {"action":"acquire","paths":["src/**"],"repo"?:"…","id"?:"…"}
//                                              or {"action":"release","lease_id":"lease-…","id"?:"…"}
//   <task_id>.lease-result.json  the sidecar answers: {"request_id","action","result", …} where result is
//                                granted (+lease), denied (+holder), released (+lease) or error (+code, detail)
//   <task_id>.lease-sent.json    the sidecar's own note of a request whose frame may have left, so a
//                                restarted or reconnected sidecar never sends the same acquire twice
// The sidecar sends lease_acquire / lease_release for the active task, writes the hub's
// lease_result, and removes the request file, so the agent may make the next request.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { leaseAcquireSchema, leaseReleaseSchema, type LeaseAcquire, type LeaseRelease, type LeaseResult } from '../web/protocol/path-leases.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export type LeaseFileKind = 'lease' | 'lease-result' | 'lease-sent';

export function leaseFilePath(resultsDir: string, taskId: string, kind: LeaseFileKind): string {
  return path.join(resultsDir, `${taskId}.${kind}.json`);
}

export type LeaseAction = 'acquire' | 'release';

export interface LeaseRequest {
  requestId: string;
  action: LeaseAction;
  frame: LeaseAcquire | LeaseRelease;
}

export type ParsedLeaseRequest =
  | { ok: true; request: LeaseRequest }
  | { ok: false; requestId: string; action: LeaseAction | null; detail: string; errors?: Array<{ field: string; message: string }> };

// The hub's own frame schemas decide every limit: the request is turned into its frame and checked.
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = { acquire: ajv.compile(leaseAcquireSchema), release: ajv.compile(leaseReleaseSchema) };

/**
 * Reads a lease request file's text into the frame for `task`. The request id is the file's own
 * `id`, or else one derived from its content and `stamp` (size and mtime): the same file read again
 * after a reconnect or a sidecar restart keeps its id, so the sidecar knows it was sent before.
 */
export function parseLeaseRequest(text: string, stamp: string, task: { task_id: string; generation: number }): ParsedLeaseRequest {
  const derivedId = `lr-${createHash('sha256').update(`${stamp}\n${text}`).digest('hex').slice(0, 16)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, requestId: derivedId, action: null, detail: `not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, requestId: derivedId, action: null, detail: 'must be a JSON object' };
  }
  const fields = parsed as Record<string, unknown>;
  const requestId = typeof fields.id === 'string' && fields.id.length > 0 ? fields.id : derivedId;
  const action = fields.action;
  if (action !== 'acquire' && action !== 'release') {
    return { ok: false, requestId, action: null, detail: 'action must be "acquire" or "release"' };
  }
  const idField = fields.id !== undefined ? { request_id: fields.id } : { request_id: requestId };
  const frame = action === 'acquire'
    ? {
      type: 'lease_acquire', task_id: task.task_id, generation: task.generation, paths: fields.paths,
      ...(fields.repo !== undefined ? { repo: fields.repo } : {}), ...idField,
    }
    : { type: 'lease_release', lease_id: fields.lease_id, ...idField };
  const validate = validators[action];
  if (!validate(frame)) {
    // Field names as the agent wrote them: the frame's request_id is the file's id.
    const errors = (validate.errors ?? []).map((error) => {
      const field = (error.instancePath.replace(/^\//, '').replace(/\//g, '.') || String(error.params.missingProperty ?? ''))
        .replace(/^request_id/, 'id');
      return { field, message: error.message ?? 'invalid' };
    });
    const detail = errors.map((error) => `${error.field || '(request)'} ${error.message}`).join('; ');
    return { ok: false, requestId, action, detail, errors };
  }
  return { ok: true, request: { requestId, action, frame: frame as LeaseAcquire | LeaseRelease } };
}

/** What the result file says besides request_id and action. */
export type LeaseAnswer = Omit<LeaseResult, 'type' | 'request_id'> & {
  /** lease_request_invalid: the fields of the request file that are wrong. */
  errors?: Array<{ field: string; message: string }>;
  /** null when the file named no valid action. */
  action?: null;
};

/** The hub's lease_result as the agent reads it. */
export function leaseAnswerOf(frame: LeaseResult): LeaseAnswer {
  const { type: _type, request_id: _requestId, ...answer } = frame;
  return answer;
}

/** Writes the result file atomically: the agent reads the whole result or none. */
export async function writeLeaseResult(resultsDir: string, taskId: string, body: Record<string, unknown>): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  await writeFileAtomic(leaseFilePath(resultsDir, taskId, 'lease-result'), `${JSON.stringify(body)}\n`);
}

/** The request whose frame may have left (written before the send). */
export interface LeaseSentNote {
  request_id: string;
  action: LeaseAction;
}

export async function writeLeaseSentNote(resultsDir: string, taskId: string, note: LeaseSentNote): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  await writeFileAtomic(leaseFilePath(resultsDir, taskId, 'lease-sent'), `${JSON.stringify(note)}\n`);
}

export async function readLeaseSentNote(resultsDir: string, taskId: string): Promise<LeaseSentNote | null> {
  const parsed = await readJson(leaseFilePath(resultsDir, taskId, 'lease-sent'));
  return parsed && typeof parsed.request_id === 'string' && (parsed.action === 'acquire' || parsed.action === 'release')
    ? { request_id: parsed.request_id, action: parsed.action }
    : null;
}

/** The request id of the result file there now, if any. */
export async function answeredRequestId(resultsDir: string, taskId: string): Promise<string | null> {
  const parsed = await readJson(leaseFilePath(resultsDir, taskId, 'lease-result'));
  return parsed && typeof parsed.request_id === 'string' ? parsed.request_id : null;
}

async function readJson(filePath: string): Promise<Record<string, unknown> | null> {
  try {
    const parsed = JSON.parse(await readFile(filePath, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : null;
  } catch {
    return null;
  }
}
