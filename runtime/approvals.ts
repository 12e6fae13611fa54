// Agents' questions mid-task: asked over the socket (`approval_request`), kept in the
// approvals store, answered by an operator (POST /api/approvals/:id) and carried back as
// `approval_answer`. A question lives as long as the assignment it was asked under: when
// its task ends (completed, failed, reclaimed, cancelled) it is closed, and an answer that
// comes later gets AC_ERR_APPROVAL_TASK_ENDED instead of reaching a task that is gone.
//
// Delivery is at least once and needs no acknowledgement: the hub pushes the answer when
// it is given and again when the agent reconnects, and a sidecar that still has the
// question file asks again after each identify, which answers it once more. The sidecar
// writes the same answer file each time.
import type { AgentRegistry } from '../actors/agent-registry.ts';
import type { ApprovalRecord, ApprovalStatus, ApprovalStore } from '../storage/approval-store.ts';
import type { QueueEngine } from '../storage/queue-engine.ts';
import type { TaskRecord } from '../storage/task-record.ts';
import { answerFrameOf, type ApprovalRequest } from '../web/protocol/approvals.ts';
import type { AgentOutboundFrame } from '../web/protocol/index.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import type { HubEvents, TypedHubEvent } from './hub-events.ts';
import type { Logger } from './logger.ts';

export interface ApprovalsDeps {
  store: ApprovalStore;
  queue: QueueEngine;
  agents: AgentRegistry<AgentOutboundFrame>;
  events: HubEvents;
  log: Logger;
  now: () => number;
}

const sweepBatch = 500;

/** The task events that end an assignment, and the reason a question of it is closed with. */
const endings: Partial<Record<TypedHubEvent['type'], string>> = {
  'task.completed': 'completed',
  'task.retried': 'failed',
  'task.dead_lettered': 'failed',
  'task.reclaimed': 'reclaimed',
  'task.cancelled': 'cancelled',
};

export class Approvals {
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: ApprovalsDeps) {
    this.unsubscribe = deps.events.subscribe((event) => {
      const reason = endings[event.type];
      if (reason && 'task' in event) void this.taskEnded(event.task as TaskRecord, reason);
    });
  }

  /** An agent's question about the task it holds; the same question id again returns the stored one. */
  async ask(agentId: string, request: ApprovalRequest): Promise<Result<ApprovalRecord>> {
    const task = this.deps.queue.get(request.task_id);
    const generation = request.generation ?? task?.generation ?? 0;
    if (!task || task.status !== 'assigned' || task.assigned_to !== agentId || task.generation !== generation) {
      return fail('AC_ERR_APPROVAL_NOT_ASKER', request.task_id, agentId, generation);
    }
    const asked = await this.deps.store.ask({
      taskId: task.id, agentId, generation, questionId: request.question_id, question: request.question,
      options: request.options ?? null, context: request.context ?? null,
    }, this.deps.now());
    if (!asked.ok) return asked;
    const { approval, created } = asked.value;
    if (created) this.deps.events.emit('approval.asked', approval.asked_at, { approval });
    return ok(approval);
  }

  /** An operator's answer; refused when already answered or when the task it was asked under ended. */
  async answer(id: string, answer: string, by: string | null): Promise<Result<ApprovalRecord>> {
    const now = this.deps.now();
    const answered = await this.deps.store.answer(id, answer, by, now, (approval) => this.endedReason(approval));
    if (!answered.ok) return answered;
    this.deps.events.emit('approval.answered', now, { approval: answered.value, waitedMs: now - answered.value.asked_at });
    this.deliver(answered.value);
    return answered;
  }

  /** Sends an answered question's answer to its agent, when connected. */
  deliver(approval: ApprovalRecord): boolean {
    if (approval.status !== 'answered') return false;
    const link = this.deps.agents.get(approval.agent_id)?.link;
    if (!link) return false;
    return link.send(answerFrameOf(approval));
  }

  /** After an agent (re)connects: the answers of its current task again, in case the last push was lost. */
  agentConnected(agentId: string): void {
    for (const task of this.deps.queue.assignedTo(agentId)) {
      for (const approval of this.deps.store.answeredFor(task.id, task.generation)) this.deliver(approval);
    }
  }

  get(id: string): ApprovalRecord | undefined {
    return this.deps.store.get(id);
  }

  list(status: ApprovalStatus | 'all', limit: number): ApprovalRecord[] {
    if (status !== 'all') return this.deps.store.list(status, limit);
    return (['pending', 'answered', 'closed'] as const).flatMap((each) => this.deps.store.list(each, limit)).sort((a, b) => a.seq - b.seq).slice(0, limit);
  }

  pendingCount(): number {
    return this.deps.store.count('pending');
  }

  /** Ask time of the oldest pending question, or null. */
  oldestPendingAskedAt(): number | null {
    return this.deps.store.list('pending', 1)[0]?.asked_at ?? null;
  }

  /** After a restart: questions whose task ended while the hub was down (or before the close committed) are closed. */
  async reconcile(): Promise<void> {
    const closed = await this.deps.store.closeEnded((approval) => this.endedReason(approval));
    if (closed.ok) this.announceClosed(closed.value);
  }

  /** Retention: answered and closed questions go with the finished tasks (retention_completed), a batch per sweep. */
  async sweep(retentionMs: number): Promise<void> {
    if (retentionMs <= 0) return;
    const removed = await this.deps.store.removeExpired(this.deps.now() - retentionMs, sweepBatch);
    if (removed.ok && removed.value > 0) this.deps.log.info('old approvals removed', { count: removed.value });
  }

  stop(): void {
    this.unsubscribe();
  }

  private async taskEnded(task: TaskRecord, reason: string): Promise<void> {
    const closed = await this.deps.store.closeForTask(task.id, reason);
    if (!closed.ok) {
      this.deps.log.warning('closing the questions of an ended task failed; the restart sweep closes them', { task_id: task.id, code: closed.code });
      return;
    }
    this.announceClosed(closed.value);
  }

  private announceClosed(closed: ApprovalRecord[]): void {
    const now = this.deps.now();
    for (const approval of closed) this.deps.events.emit('approval.closed', now, { approval });
  }

  /** Null while the question's assignment is still out with its agent; else why it ended. */
  private endedReason(approval: ApprovalRecord): string | null {
    const task = this.deps.queue.get(approval.task_id);
    if (!task) return 'purged';
    if (task.status === 'assigned' && task.assigned_to === approval.agent_id && task.generation === approval.generation) return null;
    return task.status === 'assigned' || task.status === 'queued' || task.status === 'delayed' ? 'reassigned' : task.status;
  }
}
