// The sidecar's task lifecycle: assign → accept → wake → watch results → report,
// plus recovery of a task left over from a previous run.
//
// Every change to the local task is persisted before the hub hears of it.
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Result } from '../storage/domain/errors.ts';
import { fieldLimits } from '../web/protocol/field-limits.ts';
import type { SendOutcome } from './hub-connection.ts';
import type { ApprovalAck, ApprovalAnswerMessage, HubMessage, TaskAssign, TaskCancelled, TaskContinue, TaskReassign, TaskResume } from './hub-messages.ts';
import { LeaseRequests } from './lease-requests.ts';
import { answerBodyOf, parseQuestionText, questionFilePath, writeAnswerFile } from './question-files.ts';
import { resultFilePath, type TaskOutcome } from './result-files.ts';
import { ResultWatcher } from './result-watcher.ts';
import type { SidecarConfig } from './sidecar-config.ts';
import type { SidecarLogger } from './sidecar-logger.ts';
import { recoverOnStart, type LocalTask, type QueueState, type TaskQueueFile } from './task-queue-file.ts';
import { buildWakeInvocation, runWakeWithRetries, stopProcessGroup, wakeFailedReason } from './wake-command.ts';
import { createTaskBranch, submitTaskBranch, type GitWorkflow } from './task-git-steps.ts';

export interface TaskRunnerDeps {
  config: SidecarConfig;
  queue: TaskQueueFile;
  send: (message: Record<string, unknown>) => Promise<SendOutcome>;
  isIdentified: () => boolean;
  log: SidecarLogger;
  git: GitWorkflow;
}

export class TaskRunner {
  private state: QueueState = { active: null, recovering: null };
  private watcher: ResultWatcher | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private confirmationTimer: NodeJS.Timeout | null = null;
  private startedSeen = false;
  private stopped = false;
  /** The question of the active task sent as approval_request and not answered yet. */
  private pendingQuestion: { taskId: string; questionId: string } | null = null;
  /** The agent's lease request files for its active task. */
  private readonly leases: LeaseRequests;
  /** What task_progress carries for the active task: progress files seen so far, and the cumulative tokens_used they gave. */
  private progressMark: { progress: number; tokensUsed: number | null } = { progress: 0, tokensUsed: null };

  constructor(private readonly deps: TaskRunnerDeps) {
    this.leases = new LeaseRequests({
      resultsDir: deps.config.results_dir, send: deps.send, isIdentified: deps.isIdentified, log: deps.log,
      activeTaskId: () => this.state.active?.task_id ?? null,
      requestDone: () => this.watcher?.leaseAnswered(),
    });
  }

  get queueState(): QueueState {
    return this.state;
  }

  /** Loads queue.json and turns a leftover active task into one awaiting recovery. */
  async init(): Promise<Result<void>> {
    const loaded = await this.deps.queue.load();
    if (!loaded.ok) return loaded;
    const { state, dropped } = recoverOnStart(loaded.value);
    for (const task of dropped) {
      this.deps.log.warn('dropping leftover task', { task_id: task.task_id, last_status: task.status });
      await this.removeResultFiles(task.task_id);
    }
    this.state = state;
    return this.deps.queue.save(this.state);
  }

  onIdentified(): void {
    const { recovering, active } = this.state;
    if (recovering) {
      this.deps.log.info('asking the hub about a recovered task', { task_id: recovering.task_id });
      void this.deps.send({
        type: 'task_recovering',
        task_id: recovering.task_id,
        description: recovering.description,
        metadata: recovering.metadata,
        last_status: recovering.status,
      });
    }
    if (active?.status === 'reporting') void this.flushReport();
    // A question asked before the link dropped is asked again: the hub answers it if it was answered meanwhile.
    // A lease request is read again too: sent if it never left, else see lease-requests.ts.
    this.watcher?.askAgain();
  }

  handle(message: HubMessage): void {
    switch (message.type) {
      case 'task_assign':
        void this.onAssign(message);
        return;
      case 'task_continue':
        void this.onContinue(message);
        return;
      case 'task_reassign':
        void this.onReassign(message);
        return;
      case 'task_cancelled':
        void this.onCancelled(message);
        return;
      case 'approval_ack':
        void this.onApprovalAck(message);
        return;
      case 'approval_answer':
        void this.onApprovalAnswer(message);
        return;
      case 'task_resume':
        void this.onResume(message);
        return;
      case 'lease_result':
        this.leases.result(message);
        return;
      case 'error':
        this.deps.log.warn('hub reported an error', { error: String(message.error), code: message.code, task_id: this.state.active?.task_id });
        if (message.code === 'AC_ERR_APPROVAL_NOT_ASKER') void this.questionRefused(String(message.question_id ?? ''), String(message.detail ?? message.error));
        // A lease frame the hub could not handle at all (no lease_result comes): the agent hears why.
        if (message.message_type === 'lease_acquire' || message.message_type === 'lease_release') {
          this.leases.refused(String(message.code ?? 'AC_ERR_INTERNAL'), String(message.detail ?? message.error));
        }
        return;
      default:
        this.deps.log.debug('hub message', { type: message.type, task_id: (message as { task_id?: unknown }).task_id });
    }
  }

  /** Stops timers and watching; a wake still running is left alone but nothing more is sent. */
  stop(): void {
    this.stopped = true;
    this.stopTracking();
  }

  private async onAssign(message: TaskAssign): Promise<void> {
    const log = this.deps.log.child({ task_id: message.task_id });
    const active = this.state.active;
    if (active && active.task_id === message.task_id && active.status !== 'reporting' && active.status !== 'reported') {
      // The hub handed the same task back with a new generation: accept again, keep the running agent.
      active.generation = message.generation;
      await this.persist();
      await this.deps.send({ type: 'task_accepted', task_id: message.task_id, generation: message.generation });
      log.info('task re-assigned while running; accepted again', { generation: message.generation });
      return;
    }
    if (active) {
      log.info('busy; rejecting task', { active_task_id: active.task_id });
      await this.deps.send({ type: 'task_rejected', task_id: message.task_id, reason: 'busy' });
      return;
    }
    const task: LocalTask = {
      task_id: message.task_id,
      description: message.description,
      metadata: message.metadata,
      status: 'accepted',
      assigned_at: message.assigned_at ?? Date.now(),
      generation: message.generation,
      wake_attempts: 0,
      ...(message.dependencies?.length ? { dependencies: message.dependencies } : {}),
      ...(message.paths?.length ? { paths: message.paths } : {}),
    };
    this.state.active = task;
    const saved = await this.persist();
    if (!saved.ok) {
      // Without a durable record a crash would lose the task silently; let the hub give it to someone else.
      this.state.active = null;
      log.error('cannot persist task; rejecting', { code: saved.code, detail: saved.detail });
      await this.deps.send({ type: 'task_rejected', task_id: task.task_id, reason: 'queue_file_error' });
      return;
    }
    await this.deps.send({ type: 'task_accepted', task_id: task.task_id, generation: task.generation });
    log.info('task accepted', { generation: task.generation });
    await this.track(task);
    await this.startBranch(task);
    await this.wake(task);
  }

  private async onContinue(message: TaskContinue): Promise<void> {
    const recovering = this.state.recovering;
    const log = this.deps.log.child({ task_id: message.task_id });
    if (!recovering || recovering.task_id !== message.task_id) {
      log.debug('task_continue for no recovering task; ignored');
      return;
    }
    this.state.recovering = null;
    if (this.state.active) {
      log.warn('recovered task continues, but another task is active; dropping it', { active_task_id: this.state.active.task_id });
      await this.persist();
      return;
    }
    // No re-wake and no accept: the agent kept running while the sidecar was down.
    const task: LocalTask = { ...recovering, generation: message.generation };
    if (task.status === 'accepted' || task.status === 'waking') task.status = 'waking_confirmation';
    this.state.active = task;
    await this.persist();
    log.info('task continues', { generation: task.generation, last_status: recovering.status });
    if (task.status === 'reporting') {
      await this.flushReport();
      return;
    }
    await this.track(task);
    if (task.status === 'waking_confirmation' && !this.startedSeen) this.armConfirmation(task);
  }

  private async onReassign(message: TaskReassign): Promise<void> {
    if (this.state.recovering?.task_id !== message.task_id) return;
    this.deps.log.info('hub reassigned the recovered task; dropping it', { task_id: message.task_id });
    this.state.recovering = null;
    await this.persist();
    await this.removeResultFiles(message.task_id);
  }

  /**
   * The hub cancelled a task. The running work is stopped (the wake command's process group,
   * with anything it left in the background), the task is marked cancelled in the queue file
   * before anything else so a crash cannot report it, no git submit runs, and the hub hears
   * `task_stopped` so it can give this agent the next task. Answered even for a task this
   * sidecar no longer holds, so the hub never waits for its stop timeout in vain.
   */
  private async onCancelled(message: TaskCancelled): Promise<void> {
    const log = this.deps.log.child({ task_id: message.task_id });
    const active = this.state.active;
    if (active && active.task_id === message.task_id && active.status !== 'reported') {
      active.status = 'cancelled';
      delete active.report;
      this.stopTracking();
      await this.persist();
      if (active.wake_pgid !== undefined) await stopProcessGroup(active.wake_pgid);
      log.info('task cancelled by the hub; work stopped', { wake_pgid: active.wake_pgid, reason: message.reason ?? 'cancelled' });
      if (this.state.active === active) this.state.active = null;
      await this.persist();
      await this.removeResultFiles(active.task_id);
    } else if (this.state.recovering?.task_id === message.task_id) {
      log.info('recovered task cancelled by the hub; dropping it');
      this.state.recovering = null;
      await this.persist();
      await this.removeResultFiles(message.task_id);
    } else {
      log.debug('task_cancelled for a task not held here');
    }
    if (!this.stopped) await this.deps.send({ type: 'task_stopped', task_id: message.task_id, generation: message.generation });
  }

  /**
   * The rate limit that parked the agent passed (the hub's task_resume): wake the agent again on
   * the same task, with AGENTCOM_RESUME=1 in its environment. Anything else is a late echo.
   */
  private async onResume(message: TaskResume): Promise<void> {
    const task = this.state.active;
    const log = this.deps.log.child({ task_id: message.task_id });
    if (!task || task.task_id !== message.task_id || task.generation !== message.generation || !this.isCurrent(task)) {
      log.debug('task_resume for no task running here; ignored');
      return;
    }
    log.info('rate limit passed; waking the agent again on the same task');
    await this.wake(task, true);
  }

  /** The agent wrote a rate-limit file: the hub parks it keeping the task, and answers task_resume at `until`. */
  private async onRateLimited(task: LocalTask, until: number): Promise<void> {
    if (!this.isCurrent(task) || !this.deps.isIdentified()) return;
    this.deps.log.info('agent rate limited by its provider; reporting', { task_id: task.task_id, until: new Date(until).toISOString() });
    await this.deps.send({ type: 'agent_rate_limited', task_id: task.task_id, generation: task.generation, until });
  }

  /** Watches result files and keeps the hub's stuck sweep away while the task runs (quirk 2). */
  private async track(task: LocalTask): Promise<void> {
    this.stopTracking();
    this.startedSeen = false;
    this.progressMark = { progress: 0, tokensUsed: null };
    const { config } = this.deps;
    const watcher = new ResultWatcher(
      { resultsDir: config.results_dir, taskId: task.task_id, pollIntervalMs: config.result_poll_interval_ms },
      {
        onStarted: () => this.onStarted(task),
        onProgress: (_note, tokensUsed) => {
          this.progressMark = { progress: this.progressMark.progress + 1, tokensUsed: tokensUsed ?? this.progressMark.tokensUsed };
          void this.sendProgress(task);
        },
        onOutcome: (outcome) => void this.onOutcome(task, outcome),
        onQuestion: (text, stamp) => void this.onQuestion(task, text, stamp),
        onLeaseRequest: (text, stamp) => {
          if (this.isCurrent(task)) this.leases.request(task, text, stamp);
        },
        onRateLimited: (until) => void this.onRateLimited(task, until),
      },
    );
    this.watcher = watcher;
    this.progressTimer = setInterval(() => void this.sendProgress(task), config.progress_interval_ms);
    await this.leases.settleLeftover(task.task_id);
    await watcher.start();
  }

  /** The agent wrote a question file: sent as approval_request (a bad file is answered with its error at once). */
  private async onQuestion(task: LocalTask, text: string, stamp: string): Promise<void> {
    if (!this.isCurrent(task)) return;
    const log = this.deps.log.child({ task_id: task.task_id });
    const parsed = parseQuestionText(text, stamp);
    if (!parsed.ok) {
      log.warn('question file refused', { detail: parsed.detail });
      await writeAnswerFile(this.deps.config.results_dir, task.task_id, { question_id: parsed.questionId, error: 'question_invalid', detail: parsed.detail });
      return;
    }
    const { question } = parsed;
    this.pendingQuestion = { taskId: task.task_id, questionId: question.questionId };
    if (!this.deps.isIdentified()) return;
    const sent = await this.deps.send({
      type: 'approval_request', task_id: task.task_id, generation: task.generation, question_id: question.questionId, question: question.question,
      ...(question.options ? { options: question.options } : {}), ...(question.context ? { context: question.context } : {}),
    });
    log.info('question sent to the hub', { question_id: question.questionId, send: sent });
  }

  private onApprovalAck(message: ApprovalAck): void {
    this.deps.log.info('hub stored the question', { task_id: message.task_id, question_id: message.question_id, approval_id: message.approval_id, status: message.status });
    if (message.status === 'closed') void this.questionRefused(message.question_id, 'the question was closed: its task ended');
  }

  /** An operator's answer: written for the agent, and the question file removed so it can ask the next one. */
  private async onApprovalAnswer(message: ApprovalAnswerMessage): Promise<void> {
    const active = this.state.active;
    const log = this.deps.log.child({ task_id: message.task_id });
    if (!active || !this.isCurrent(active) || active.task_id !== message.task_id || active.generation !== message.generation) {
      log.debug('approval_answer for a task not running here; ignored', { approval_id: message.approval_id });
      return;
    }
    const { results_dir: resultsDir } = this.deps.config;
    await writeAnswerFile(resultsDir, message.task_id, answerBodyOf(message));
    if (this.pendingQuestion?.questionId === message.question_id) {
      this.pendingQuestion = null;
      await unlink(questionFilePath(resultsDir, message.task_id, 'question')).catch(() => undefined);
      this.watcher?.questionAnswered();
    }
    log.info('answer written for the agent', { approval_id: message.approval_id, question_id: message.question_id });
  }

  /** The hub will not take the question (task no longer held here): the agent hears why instead of waiting. */
  private async questionRefused(questionId: string, detail: string): Promise<void> {
    const pending = this.pendingQuestion;
    if (!pending || (questionId !== '' && pending.questionId !== questionId)) return;
    this.pendingQuestion = null;
    await writeAnswerFile(this.deps.config.results_dir, pending.taskId, { question_id: pending.questionId, error: 'question_refused', detail });
  }

  private stopTracking(): void {
    this.watcher?.stop();
    this.watcher = null;
    if (this.progressTimer) clearInterval(this.progressTimer);
    if (this.confirmationTimer) clearTimeout(this.confirmationTimer);
    this.progressTimer = null;
    this.confirmationTimer = null;
  }

  private isCurrent(task: LocalTask): boolean {
    return !this.stopped && this.state.active === task && task.status !== 'reporting' && task.status !== 'reported' && task.status !== 'cancelled';
  }

  private async startBranch(task: LocalTask): Promise<void> {
    await createTaskBranch(this.deps.git, this.deps.config, task, this.deps.log);
    if (this.isCurrent(task)) await this.persist();
  }

  private async wake(task: LocalTask, resumed = false): Promise<void> {
    const { config, log } = this.deps;
    if (!this.isCurrent(task)) return;
    if (!config.wake_command) {
      task.status = 'working';
      await this.persist();
      return;
    }
    const invocation = buildWakeInvocation(
      config.wake_command,
      {
        task_id: task.task_id, description: task.description, metadata: task.metadata, generation: task.generation, assigned_at: task.assigned_at,
        ...(task.dependencies ? { dependencies: task.dependencies } : {}),
        ...(task.paths ? { paths: task.paths } : {}),
      },
      {
        AGENTCOM_RESULTS_DIR: config.results_dir, AGENTCOM_SIDECAR_CONFIG: config.config_path, AGENTCOM_AGENT_ID: config.agent_id,
        ...(resumed ? { AGENTCOM_RESUME: '1' } : {}),
      },
    );
    if (!invocation.ok) {
      await this.report(task, { type: 'task_failed', task_id: task.task_id, reason: wakeFailedReason(0, invocation.detail) });
      return;
    }
    // The agent works in the repository when there is one, else beside the config.
    invocation.value.cwd = config.repo_dir ?? path.dirname(config.config_path);
    task.status = 'waking';
    await this.persist();
    const woken = await runWakeWithRetries(invocation.value, {
      timeoutMs: config.wake_timeout_ms,
      retryDelaysMs: config.wake_retry_delays_ms,
      shouldContinue: () => this.isCurrent(task),
      onSpawn: (pgid) => {
        task.wake_pgid = pgid;
        void this.persist();
      },
      onAttempt: (attempt, outcome) => {
        task.wake_attempts = attempt;
        log.info('wake attempt', { task_id: task.task_id, attempt, exit_code: outcome?.exitCode, timed_out: outcome?.timedOut });
        void this.persist();
      },
    });
    if (!this.isCurrent(task)) return;
    if (!woken.ok) {
      log.warn('wake failed', { task_id: task.task_id, code: woken.code, detail: woken.detail });
      const reason = wakeFailedReason(config.wake_retry_delays_ms.length, woken.detail);
      await this.report(task, { type: 'task_failed', task_id: task.task_id, reason });
      return;
    }
    task.status = this.startedSeen ? 'working' : 'waking_confirmation';
    await this.persist();
    if (task.status === 'waking_confirmation') this.armConfirmation(task);
  }

  private armConfirmation(task: LocalTask): void {
    if (this.confirmationTimer) clearTimeout(this.confirmationTimer);
    this.confirmationTimer = setTimeout(() => {
      this.confirmationTimer = null;
      if (!this.isCurrent(task) || this.startedSeen) return;
      this.deps.log.warn('agent did not confirm start in time', { task_id: task.task_id });
      void this.report(task, { type: 'task_failed', task_id: task.task_id, reason: 'confirmation_timeout' });
    }, this.deps.config.confirmation_timeout_ms);
  }

  private onStarted(task: LocalTask): void {
    this.startedSeen = true;
    if (!this.isCurrent(task)) return;
    if (this.confirmationTimer) clearTimeout(this.confirmationTimer);
    this.confirmationTimer = null;
    this.deps.log.info('agent confirmed start', { task_id: task.task_id });
    if (task.status === 'waking_confirmation' || task.status === 'accepted') {
      task.status = 'working';
      void this.persist();
    }
  }

  private async sendProgress(task: LocalTask): Promise<void> {
    if (!this.isCurrent(task) || !this.deps.isIdentified()) return;
    // Until the agent writes a progress file the frame is the plain keepalive it always was.
    const { progress, tokensUsed } = this.progressMark;
    await this.deps.send({
      type: 'task_progress', task_id: task.task_id, generation: task.generation,
      ...(progress > 0 ? { progress } : {}),
      ...(tokensUsed !== null ? { tokens_used: tokensUsed } : {}),
    });
  }

  private async onOutcome(task: LocalTask, outcome: TaskOutcome): Promise<void> {
    if (!this.isCurrent(task)) return;
    if (outcome.kind === 'failure') {
      await this.report(task, { type: 'task_failed', task_id: task.task_id, reason: outcome.reason.slice(0, fieldLimits.reason) });
      return;
    }
    const result = await submitTaskBranch(this.deps.git, this.deps.config, task, outcome.result, this.deps.log);
    if (!this.isCurrent(task)) return;
    const message: Record<string, unknown> = { type: 'task_complete', task_id: task.task_id, result };
    if (Number.isInteger(result.tokens_used)) message.tokens_used = result.tokens_used;
    await this.report(task, message);
  }

  /** Stores the report with the task, then sends it when the hub is reachable. */
  private async report(task: LocalTask, message: Record<string, unknown>): Promise<void> {
    if (!this.isCurrent(task)) return;
    this.stopTracking();
    task.status = 'reporting';
    task.report = message;
    await this.persist();
    await this.flushReport();
  }

  private async flushReport(): Promise<void> {
    const task = this.state.active;
    if (this.stopped || !task || task.status !== 'reporting' || !task.report) return;
    if (!this.deps.isIdentified()) return;
    // Marked before the send: a crash in between loses this report rather than
    // sending it twice (see recoverOnStart).
    task.status = 'reported';
    await this.persist();
    const outcome = await this.deps.send({ ...task.report, generation: task.generation });
    const log = this.deps.log.child({ task_id: task.task_id });
    if (outcome === 'not_connected') {
      // Nothing left the process, so it is safe to send after the next identify.
      task.status = 'reporting';
      await this.persist();
      log.info('report waits for the hub', { type: task.report.type });
      return;
    }
    log.info('task reported', { type: task.report.type, generation: task.generation, send: outcome });
    this.state.active = null;
    await this.persist();
    await this.removeResultFiles(task.task_id);
  }

  private async removeResultFiles(taskId: string): Promise<void> {
    for (const kind of ['started', 'progress', 'result', 'rate_limited'] as const) {
      await unlink(resultFilePath(this.deps.config.results_dir, taskId, kind)).catch(() => undefined);
    }
    for (const kind of ['question', 'answer'] as const) {
      await unlink(questionFilePath(this.deps.config.results_dir, taskId, kind)).catch(() => undefined);
    }
    await this.leases.removeFiles(taskId);
    if (this.pendingQuestion?.taskId === taskId) this.pendingQuestion = null;
  }

  private async persist(): Promise<Result<void>> {
    const saved = await this.deps.queue.save(this.state);
    if (!saved.ok) this.deps.log.error('queue file write failed', { code: saved.code, detail: saved.detail });
    return saved;
  }
}
