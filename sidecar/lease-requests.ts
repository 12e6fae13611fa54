// The agent's lease requests for its active task: the request file read (lease-files.ts), sent as
// lease_acquire / lease_release, and the hub's lease_result written back for the agent.
//
// Each request is sent once. A sent note is written before the frame leaves; finding it again
// (after a reconnect, or a sidecar restart) means the hub may have acted on it without the answer
// arriving. A release is sent again (the hub answers AC_ERR_LEASE_NOT_FOUND if the first one
// released it). An acquire is not: the hub grants a second lease for the same paths rather than
// the first again, so the agent gets `lease_outcome_unknown` instead; a lease granted unseen
// ends with the task.
import { readFile, unlink } from 'node:fs/promises';
import type { LeaseResult } from '../web/protocol/path-leases.ts';
import type { SendOutcome } from './hub-connection.ts';
import {
  answeredRequestId, leaseAnswerOf, leaseFilePath, parseLeaseRequest, readLeaseSentNote, writeLeaseResult, writeLeaseSentNote, type LeaseAction, type LeaseAnswer,
} from './lease-files.ts';
import type { SidecarLogger } from './sidecar-logger.ts';

export interface LeaseRequestsDeps {
  resultsDir: string;
  send: (message: Record<string, unknown>) => Promise<SendOutcome>;
  isIdentified: () => boolean;
  log: SidecarLogger;
  /** The task the sidecar works on now: a result for any other is not written. */
  activeTaskId: () => string | null;
  /** The request file was handled and removed: the watcher may hand on a new one with the same stamp. */
  requestDone: () => void;
}

interface PendingLease {
  taskId: string;
  requestId: string;
  action: LeaseAction;
}

const outcomeUnknownDetail = 'the link to the hub dropped after the request was sent and before its answer came; '
  + 'a lease the hub granted meanwhile is held until the task ends (GET /api/tasks/:id lists it)';

export class LeaseRequests {
  /** The request of the active task read from its file and not answered yet. */
  private pending: PendingLease | null = null;
  /** Requests and answers are handled one at a time, so one's file steps never interleave with the next's. */
  private steps: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LeaseRequestsDeps) {}

  /** The agent wrote a request file for `task` (the caller checked it is the current one). */
  request(task: { task_id: string; generation: number }, text: string, stamp: string): void {
    void this.step(() => this.onRequest(task, text, stamp));
  }

  /** The hub's answer to a request. */
  result(message: LeaseResult): void {
    void this.step(() => this.onResult(message));
  }

  /** An error frame for a lease frame the hub could not handle at all (no lease_result comes). */
  refused(code: string, detail: string): void {
    void this.step(() => this.answer({ result: 'error', code, detail }));
  }

  /**
   * Before watching a task's files: a sent note with no request file left means the sidecar stopped
   * between removing the request and writing its result. The agent still waits, so it hears the
   * outcome is unknown.
   */
  settleLeftover(taskId: string): Promise<void> {
    return this.step(async () => {
      const { resultsDir } = this.deps;
      const note = await readLeaseSentNote(resultsDir, taskId);
      if (!note) return;
      const requestThere = await readFile(leaseFilePath(resultsDir, taskId, 'lease')).then(() => true, () => false);
      if (requestThere) return;
      if ((await answeredRequestId(resultsDir, taskId)) !== note.request_id) {
        await writeLeaseResult(resultsDir, taskId, {
          request_id: note.request_id, action: note.action, result: 'error', code: 'lease_outcome_unknown', detail: outcomeUnknownDetail,
        });
      }
      await this.removeSentNote(taskId);
    });
  }

  /** The task ended: its lease files go, after any step under way, so none writes a result after this. */
  removeFiles(taskId: string): Promise<void> {
    return this.step(async () => {
      if (this.pending?.taskId === taskId) this.pending = null;
      for (const kind of ['lease', 'lease-result', 'lease-sent'] as const) {
        await unlink(leaseFilePath(this.deps.resultsDir, taskId, kind)).catch(() => undefined);
      }
    });
  }

  private step(step: () => Promise<void>): Promise<void> {
    this.steps = this.steps.then(step).catch((error: unknown) => {
      this.deps.log.error('lease request step failed', { error: String(error) });
    });
    return this.steps;
  }

  private async onRequest(task: { task_id: string; generation: number }, text: string, stamp: string): Promise<void> {
    const log = this.deps.log.child({ task_id: task.task_id });
    const { resultsDir } = this.deps;
    const parsed = parseLeaseRequest(text, stamp, task);
    if (!parsed.ok) {
      // Answered at once, with no frame.
      log.warn('lease request file refused', { detail: parsed.detail });
      this.pending = { taskId: task.task_id, requestId: parsed.requestId, action: parsed.action ?? 'acquire' };
      await this.answer({
        result: 'error', code: 'lease_request_invalid', detail: parsed.detail, ...(parsed.errors ? { errors: parsed.errors } : {}),
        ...(parsed.action === null ? { action: null } : {}),
      });
      return;
    }
    const { request } = parsed;
    this.pending = { taskId: task.task_id, requestId: request.requestId, action: request.action };
    if ((await answeredRequestId(resultsDir, task.task_id)) === request.requestId) {
      // Answered before a crash that left the request file behind: only the clean-up was missing.
      await this.requestHandled(this.pending);
      await this.removeSentNote(task.task_id);
      return;
    }
    const sentBefore = (await readLeaseSentNote(resultsDir, task.task_id))?.request_id === request.requestId;
    if (sentBefore && request.action === 'acquire') {
      log.warn('lease request may have reached the hub before the link dropped; not sent again', { request_id: request.requestId });
      await this.answer({ result: 'error', code: 'lease_outcome_unknown', detail: outcomeUnknownDetail });
      return;
    }
    // Not identified: the watcher hands the file on again after the next identify.
    if (!this.deps.isIdentified()) return;
    await writeLeaseSentNote(resultsDir, task.task_id, { request_id: request.requestId, action: request.action });
    const sent = await this.deps.send({ ...request.frame });
    // Nothing left the process: the request is sent after the next identify.
    if (sent === 'not_connected') await this.removeSentNote(task.task_id);
    log.info('lease request sent to the hub', { request_id: request.requestId, action: request.action, send: sent });
  }

  private async onResult(message: LeaseResult): Promise<void> {
    if (!this.pending || message.request_id !== this.pending.requestId) {
      this.deps.log.debug('lease_result for no request pending here; ignored', { request_id: message.request_id });
      return;
    }
    this.deps.log.info('lease result written for the agent', { task_id: this.pending.taskId, request_id: message.request_id, result: message.result });
    await this.answer(leaseAnswerOf(message));
  }

  /**
   * Writes the pending request's result for the agent. Everything about this request is cleared
   * before the result appears: an agent that sees it may write its next request at once, and
   * nothing here may then remove or overwrite that one.
   */
  private async answer(answer: LeaseAnswer): Promise<void> {
    const pending = this.pending;
    if (!pending || this.deps.activeTaskId() !== pending.taskId) return;
    await this.requestHandled(pending);
    await writeLeaseResult(this.deps.resultsDir, pending.taskId, { request_id: pending.requestId, action: pending.action, ...answer });
    // Last: a crash before this leaves a note whose result is there, which settleLeftover clears.
    await this.removeSentNote(pending.taskId);
  }

  /** Removes the request file and forgets it, so the next request file is a new request. */
  private async requestHandled(pending: PendingLease): Promise<void> {
    if (this.pending?.requestId === pending.requestId) this.pending = null;
    await unlink(leaseFilePath(this.deps.resultsDir, pending.taskId, 'lease')).catch(() => undefined);
    this.deps.requestDone();
  }

  private async removeSentNote(taskId: string): Promise<void> {
    await unlink(leaseFilePath(this.deps.resultsDir, taskId, 'lease-sent')).catch(() => undefined);
  }
}
