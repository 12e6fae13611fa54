// Fleet control for agents (issue 19, "budgets, breakers and provider quotas"), wired into the hub:
//   - task budgets: a progress report that takes a task past its budget_tokens dead-letters it
//     (budget_exceeded) and tells its sidecar to stop, as for a cancel;
//   - daily token budgets (runtime/daily-budgets.ts), charged with each report (storage/token-ledger.ts);
//   - the breaker and rate-limit parking (the agent machine's `blocked`; actors/agent-breakers.ts keeps it durable);
//   - provider quotas and budgets as a dispatch gate (actors/dispatch-gate.ts);
//   - the no-progress flag (runtime/progress-watch.ts).
// The hub calls in at a few points of its flows; every decision lives in the modules named above.
import type { Logger } from 'winston';
import { AgentBreakers } from '../actors/agent-breakers.ts';
import { stateOf, type AgentEntry, type AgentRegistry } from '../actors/agent-registry.ts';
import { DispatchGate, holdsWork } from '../actors/dispatch-gate.ts';
import type { TaskDispatch } from '../actors/task-dispatch.ts';
import type { AgentTaskRef } from '../machines/agent-machine.ts';
import type { BreakerStore } from '../storage/breaker-store.ts';
import type { QueueEngine } from '../storage/queue-engine.ts';
import type { SettingsStore } from '../storage/settings-store.ts';
import type { DayUsage, TokenLedger } from '../storage/token-ledger.ts';
import { overBudget, tokensAdded } from '../storage/tokens-used.ts';
import type { TaskRecord } from '../storage/task-record.ts';
import { DailyBudgets, type BudgetCrossing, type DailyBudgetChanges, type DailyBudgetSettings, type DailyBudgetsView } from './daily-budgets.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import type { HubEvents } from './hub-events.ts';
import { ProgressWatch, type ProgressMark } from './progress-watch.ts';
import type { ProviderView } from '../web/ports/fleet-port.ts';
import type { AgentOutboundFrame } from '../web/protocol/index.ts';

export type { ProviderView };

export interface FleetControlSettings {
  breakerFailures: number;
  breakerCooldownMs: number;
  noProgressAfterMs: number;
  providerLimits: Record<string, number>;
  dailyTokenBudgets: DailyBudgetSettings;
}

export const defaultFleetControlSettings: FleetControlSettings = {
  breakerFailures: 3, breakerCooldownMs: 900_000, noProgressAfterMs: 600_000, providerLimits: {}, dailyTokenBudgets: {},
};

export interface FleetControlDeps {
  settings: FleetControlSettings;
  queue: QueueEngine;
  agents: AgentRegistry<AgentOutboundFrame>;
  events: HubEvents;
  log: Logger;
  now: () => number;
  store: SettingsStore;
  ledger?: TokenLedger;
  breakerStore?: BreakerStore;
  /** Set by the hub once built (the dispatch and the scheduler need the hub's other parts). */
  dispatch: () => TaskDispatch;
  offerWork: () => void;
}

/** The longest a provider may park an agent: a week. */
export const maxRateLimitMs = 7 * 86_400_000;

/** A report's token charge: `inTransaction` runs inside the queue's write, `committed` after it is durable. */
export interface TokenCharge {
  inTransaction: (task: TaskRecord, tokensBefore: number | null) => void;
  committed: () => void;
}

export class FleetControl {
  readonly breakers: AgentBreakers;
  readonly gate: DispatchGate;
  readonly budgets: DailyBudgets | null;
  private readonly progress: ProgressWatch;
  private offerScheduled = false;

  constructor(private readonly deps: FleetControlDeps) {
    this.breakers = new AgentBreakers({
      store: deps.breakerStore, events: deps.events, log: deps.log, now: deps.now, due: (agentId) => this.due(agentId),
    });
    this.budgets = deps.ledger ? new DailyBudgets(deps.settings.dailyTokenBudgets, deps.store, deps.ledger) : null;
    this.gate = new DispatchGate({
      providerLimit: (provider) => deps.settings.providerLimits[provider],
      agents: () => deps.agents.all(),
      budgetSpent: (agentId, now) => this.budgets?.spent(agentId, now) ?? null,
    });
    this.progress = new ProgressWatch(deps.settings.noProgressAfterMs);
    deps.events.subscribe((event) => {
      switch (event.type) {
        case 'task.assigned':
          this.progress.started(event.task.id, event.agentId, event.at);
          return;
        case 'task.completed': case 'task.retried': case 'task.dead_lettered': case 'task.reclaimed': case 'task.cancelled':
          this.progress.ended(event.task.id);
          return;
        case 'agent.state_changed':
          // A provider slot freed: idle agents of that provider that the gate held back may take work now.
          if (event.agent.identity.provider !== undefined && !holdsWork(event.agent)) this.offerSoon();
          return;
      }
    });
  }

  breakerSettings(): { failures: number; cooldownMs: number; state: AgentBreakers } {
    return { failures: this.deps.settings.breakerFailures, cooldownMs: this.deps.settings.breakerCooldownMs, state: this.breakers };
  }

  mayDispatch(entry: AgentEntry, now: number): boolean {
    return this.gate.refusal(entry, now) === null;
  }

  // --- tokens and budgets ----------------------------------------------------------

  charge(agentId: string): TokenCharge | undefined {
    const { ledger } = this.deps;
    const budgets = this.budgets;
    if (!ledger || !budgets) return undefined;
    let crossings: BudgetCrossing[] = [];
    return {
      inTransaction: (task, tokensBefore) => {
        const added = tokensAdded(tokensBefore, task.tokens_used);
        if (added === 0) return;
        const now = this.deps.now();
        const before: DayUsage = ledger.usage(now);
        const after = ledger.chargeInTransaction(agentId, added, now);
        crossings = budgets.crossed(agentId, before, after);
      },
      committed: () => {
        for (const crossing of crossings) this.deps.events.emit('budget.exhausted', this.deps.now(), crossing);
      },
    };
  }

  /** After a durable progress report: the task budget and the no-progress window. */
  progressed(task: TaskRecord, agentId: string, mark: ProgressMark): void {
    this.progress.reported(task.id, agentId, mark, this.deps.now());
    if (overBudget(task)) void this.budgetExceeded(task, agentId);
  }

  /**
   * The task passed its budget: dead-lettered (budget_exceeded, no retry), and its agent is told
   * to stop as for a cancel (task_cancelled with the reason) and stays `stopping` until it has.
   */
  async budgetExceeded(task: TaskRecord, agentId: string): Promise<void> {
    const tokensUsed = task.tokens_used ?? 0;
    const budgetTokens = task.budget_tokens ?? 0;
    const error = `budget_exceeded: ${fail('AC_ERR_BUDGET_EXCEEDED', task.id, tokensUsed, budgetTokens).detail}`;
    const failed = await this.deps.queue.fail({ taskId: task.id, agentId, generation: task.generation }, error, this.deps.now(), 'budget_exceeded');
    // Refused: the task already ended (a second report over budget, a completion that won the race).
    if (!failed.ok) return;
    const dead = failed.value.task;
    this.deps.dispatch().actorOf(task.id)?.send({ type: 'task.dead_lettered' });
    const entry = this.deps.agents.get(agentId);
    entry?.actor.send({ type: 'task.cancelled', taskId: task.id });
    entry?.link?.send({ type: 'task_cancelled', task_id: task.id, generation: task.generation, reason: 'budget_exceeded' });
    const at = this.deps.now();
    this.deps.events.emit('task.budget_exceeded', at, { task: dead, agentId, tokensUsed, budgetTokens });
    this.deps.events.emit('task.dead_lettered', at, { task: dead, agentId, error });
  }

  budgetsView(): DailyBudgetsView | null {
    return this.budgets?.view(this.deps.now(), [...this.deps.agents.all()].map((entry) => entry.agentId)) ?? null;
  }

  async updateBudgets(changes: DailyBudgetChanges): Promise<Result<DailyBudgetsView>> {
    if (!this.budgets) return fail('AC_ERR_NOT_IMPLEMENTED', 'daily token budgets');
    const updated = await this.budgets.update(changes);
    if (!updated.ok) return updated;
    this.deps.log.notice('daily token budgets changed', { budgets: updated.value });
    // A raised budget lets held-back agents work again at once.
    this.offerSoon();
    return ok(this.budgetsView()!);
  }

  // --- breaker and rate-limit parking ------------------------------------------------

  /**
   * The agent's provider refused it until `until`: it parks (blocked, rate_limited) keeping its
   * task, the task's stuck timer waits that much longer, and at `until` it resumes the same task.
   */
  async rateLimited(agentId: string, taskId: string, until: number, generation: number | undefined): Promise<Result<{ until: number }>> {
    const now = this.deps.now();
    const entry = this.deps.agents.get(agentId);
    if (!entry) return fail('AC_ERR_AGENT_NOT_FOUND', agentId);
    if (until - now > maxRateLimitMs) return fail('AC_ERR_RATE_LIMIT_UNTIL', until - now, maxRateLimitMs);
    const task = this.deps.queue.get(taskId);
    if (!task || task.status !== 'assigned' || task.assigned_to !== agentId) return fail('AC_ERR_NOT_ASSIGNEE', taskId, agentId);
    if (generation !== undefined && generation !== task.generation) return fail('AC_ERR_STALE_GENERATION', taskId, task.generation, generation);
    const state = stateOf(entry);
    if (!['assigned', 'working', 'blocked'].includes(state) || entry.actor.getSnapshot().context.currentTask?.taskId !== taskId) {
      return fail('AC_ERR_INVALID_STATE', taskId, state, 'agent_rate_limited', 'assigned or working');
    }
    entry.actor.send({ type: 'agent.rate_limited', taskId, until, at: now });
    this.deps.dispatch().actorOf(taskId)?.send({ type: 'task.parked', forMs: Math.max(0, until - now) });
    await this.breakers.settled(agentId);
    this.deps.log.notice('agent parked by its provider rate limit', { agent_id: agentId, task_id: taskId, until, provider: entry.identity.provider });
    return ok({ until });
  }

  /** An operator lifts the agent's block (breaker or rate limit); durable before it answers. */
  async unblock(agentId: string): Promise<Result<AgentEntry>> {
    const entry = this.deps.agents.get(agentId);
    if (!entry) return fail('AC_ERR_AGENT_NOT_FOUND', agentId);
    if (entry.actor.getSnapshot().context.block === null) return fail('AC_ERR_AGENT_NOT_BLOCKED', agentId, stateOf(entry));
    entry.actor.send({ type: 'agent.unblocked' });
    await this.breakers.settled(agentId);
    this.deps.log.notice('agent unblocked by an operator', { agent_id: agentId });
    return ok(entry);
  }

  /**
   * A block's `until` passed. A parked agent that is away keeps its block until it is back
   * (`agentConnected`), so it is woken on a socket that can hear it.
   */
  due(agentId: string): void {
    const entry = this.deps.agents.get(agentId);
    const block = entry?.actor.getSnapshot().context.block;
    if (!entry || !block || block.until === null || block.until > this.deps.now()) return;
    if (block.reason === 'rate_limited' && !entry.link) return;
    entry.actor.send({ type: 'agent.unblocked' });
  }

  agentConnected(agentId: string): void {
    this.due(agentId);
  }

  /** The agent machine left `blocked` holding its task: wake the sidecar to go on with it. */
  resume(agentId: string, task: AgentTaskRef): void {
    const entry = this.deps.agents.get(agentId);
    this.deps.dispatch().actorOf(task.taskId)?.send({ type: 'task.resumed' });
    const sent = entry?.link?.send({ type: 'task_resume', task_id: task.taskId, generation: task.generation }) ?? false;
    this.deps.log.info('parked agent resumes its task', { agent_id: agentId, task_id: task.taskId, sent });
  }

  /** After a restart: task actors of parked agents' tasks learn they are parked. */
  resumeParked(): void {
    const now = this.deps.now();
    for (const task of this.deps.queue.assigned()) {
      const block = this.deps.breakerStore?.get(task.assigned_to ?? '')?.block;
      if (block?.reason === 'rate_limited' && block.until !== null) {
        this.deps.dispatch().actorOf(task.id)?.send({ type: 'task.parked', forMs: Math.max(0, block.until - now) });
      }
    }
  }

  // --- sweep, views, alerts ----------------------------------------------------------------

  sweep(): void {
    if (!this.progress.enabled) return;
    const now = this.deps.now();
    const stalled = this.progress.newlyStalled(now, (taskId) => this.deps.queue.get(taskId)?.status === 'assigned');
    for (const { taskId, agentId, sinceMs } of stalled) {
      const task = this.deps.queue.get(taskId);
      if (task) this.deps.events.emit('task.no_progress', now, { task, agentId, sinceMs });
    }
  }

  /** When the agent's held task was flagged no_progress, if it is. */
  noProgressSince(taskId: string | null): number | null {
    return taskId === null ? null : this.progress.flaggedSince(taskId);
  }

  providersView(): ProviderView[] {
    const views = new Map<string, ProviderView>();
    const viewOf = (provider: string) => {
      let view = views.get(provider);
      if (!view) views.set(provider, (view = { provider, limit: this.deps.settings.providerLimits[provider] ?? null, in_use: 0, parked: 0, agents: 0 }));
      return view;
    };
    for (const provider of Object.keys(this.deps.settings.providerLimits)) viewOf(provider);
    for (const entry of this.deps.agents.all()) {
      const provider = entry.identity.provider;
      if (provider === undefined) continue;
      const view = viewOf(provider);
      view.agents += 1;
      if (holdsWork(entry)) view.in_use += 1;
      if (entry.actor.getSnapshot().context.block?.reason === 'rate_limited') view.parked += 1;
    }
    return [...views.values()].sort((a, b) => a.provider.localeCompare(b.provider));
  }

  /** For the alerter: agents whose breaker is open, and budgets spent today. */
  alertFacts(): { breakerOpenAgentIds: string[]; spentBudgets: string[] } {
    const agents = [...this.deps.agents.all()];
    return {
      breakerOpenAgentIds: agents.filter((entry) => entry.actor.getSnapshot().context.block?.reason === 'breaker').map((entry) => entry.agentId),
      spentBudgets: this.budgets?.spentToday(this.deps.now(), agents.map((entry) => entry.agentId)) ?? [],
    };
  }

  stop(): void {
    this.breakers.stop();
  }

  private offerSoon(): void {
    if (this.offerScheduled) return;
    this.offerScheduled = true;
    queueMicrotask(() => {
      this.offerScheduled = false;
      this.deps.offerWork();
    });
  }
}
