// What the transport needs from the hub. runtime/ implements it and hands it to
// the server at boot, so web/ never imports actors or storage (dependencies point one way).
import type { Failure, Result } from '../storage/domain/errors.ts';
import type { TaskBulkItem } from './protocol/task-bulk.ts';
import type { ApprovalRequest } from './protocol/approvals.ts';
import type { ScheduleCreate } from './protocol/schedule.ts';
import type { Task } from '../storage/domain/task.ts';
import type { TaskStatus } from '../storage/domain/task-status.ts';
import type { TaskSubmit } from './protocol/task.ts';
import type { LeaseAcquire, PathLeaseView } from './protocol/path-leases.ts';
import type { StoragePort } from './storage-port.ts';
import type { RateLimiter } from './rate-limits/rate-limiter.ts';

/** Who a token belongs to. Admin tokens may do everything; agent tokens act for one agent. */
export type Principal = { scope: 'admin'; name: string } | { scope: 'agent'; agentId: string };

/** One open agent socket as the hub sees it. */
export interface AgentLink {
  /** Unique per socket for the life of the process; a reconnect gets a new one. */
  readonly linkId: number;
  /** Sends one message as a JSON text frame; false when the socket is gone or the frame was dropped. */
  send(message: Record<string, unknown>): boolean;
  /** Closes the socket with a WebSocket close code. */
  close(code: number, reason: string): void;
  /** Bytes queued on the socket and not yet written; absent on links without a socket. */
  bufferedBytes?(): number;
}

export interface AgentIdentity {
  agentId: string;
  name: string;
  status: string;
  capabilities: string[];
  /** Ours: the model provider the agent runs on (identify `provider`), for provider_limits. */
  provider?: string;
}

/** AgentInfo of the reference plus the FSM view. */
export interface AgentView {
  agent_id: string;
  name: string;
  status: string;
  capabilities: string[];
  connected_at: number | null;
  fsm_state: 'offline' | 'idle' | 'assigned' | 'working' | 'blocked' | 'stopping';
  current_task_id: string | null;
  /** The held task's description when this hub delivered it (null after a restart, until the next task). */
  current_task_description?: string | null;
  flags: string[];
  last_state_change: number;
  last_seen: number | null;
  tasks_completed: number;
  /** Fleet control: the agent's provider, and why and until when it is blocked (absent when not). */
  provider?: string;
  blocked_reason?: 'breaker' | 'rate_limited';
  blocked_until?: number | null;
  consecutive_failures?: number;
  /** The held task's progress showed no change for no_progress_after_ms. */
  no_progress_since?: number;
  /** The hub the agent is connected to, on a cluster of hubs (engine jetstream). */
  hub?: string;
}

export interface TaskReport {
  agentId: string;
  taskId: string;
  /** Missing on reference accept/progress frames. */
  generation?: number;
}

export type RecoveryAnswer = { type: 'task_continue'; task_id: string; generation: number } | { type: 'task_reassign'; task_id: string };

export interface TaskListQuery {
  status?: TaskStatus;
  priority?: number;
  assignedTo?: string;
  capability?: string;
  limit?: number;
  cursor?: number;
}

export interface TaskListPage {
  tasks: Task[];
  count: number;
  next_cursor: number | null;
  /** Damaged records in the page's range that were skipped (logged once each); absent when none. */
  skipped_unreadable?: number;
}

/** A bulk submit's outcome, one entry per request item, in request order. */
export interface BulkOutcome {
  /** false when a graph (items with refs) was refused whole: nothing was created. */
  accepted: boolean;
  outcomes: Array<Result<{ task: Task; created: boolean }>>;
}

/** A task's place in a workflow graph. */
export interface TaskLinks {
  dependencies: Array<{ task_id: string; status: string }>;
  dependents: Array<{ task_id: string; status: string }>;
  /** Dependencies a waiting task still needs; null when it is not waiting. */
  waiting_for: number | null;
  /** Path leases the task holds now (while assigned). */
  leases: PathLeaseView[];
  /** A queued task the scheduler passed over: the lease of another task that overlaps its paths. */
  waiting_for_lease: (PathLeaseView & { since: number }) | null;
}

/** The answer to lease_acquire: the new lease, or the lease of another task that overlaps it. */
export type LeaseAcquireAnswer = { granted: PathLeaseView } | { denied: PathLeaseView };

export interface TaskStatsView {
  by_status: Record<string, number>;
  by_priority: Record<string, number>;
  dead_letter: number;
  queued_index_size: number;
  /** Distinct damaged task records listings have skipped since start; absent when none. */
  unreadable_records?: number;
  /** What retention deleted since start, per status, and when it last swept; absent when retention is off. */
  retention?: { removed: Record<'completed' | 'cancelled' | 'dead_letter', number>; last_sweep_at: number | null };
}

export interface TokenInfo {
  agent_id: string | null;
  name: string;
  scope: 'admin' | 'agent';
  token_prefix: string;
  created_at: number;
}

// --- messaging ----------------------------------------------------------------

/** What a sender hands the hub; `to` null or "broadcast" means every connected agent but the sender. */
export interface OutgoingMessage {
  to: string | null;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
  /** Ours: the same id from the same sender gets the first answer again, and nothing is sent twice. */
  client_msg_id: string | null;
}

export interface MessageSent {
  id: string;
  /** Mailbox seq of a direct message; null for a broadcast. */
  seq: number | null;
  duplicate: boolean;
  kind: 'direct' | 'broadcast';
}

/** A stored message as the mailbox and channel history return it. */
export interface MessageView {
  seq: number;
  id: string;
  from: string;
  to?: string;
  channel?: string;
  message_type: string;
  payload: Record<string, unknown>;
  reply_to: string | null;
  timestamp: number;
}

export interface MailboxPage {
  agent_id: string;
  messages: MessageView[];
  /** Seq of the last message returned, or the `since` asked for when none was: pass it back as `since`. */
  last_seq: number;
  count: number;
}

export interface ChannelView {
  name: string;
  description: string;
  subscriber_count: number;
  created_at: number;
}

export interface ChannelDetail extends ChannelView {
  created_by: string | null;
  subscribers: string[];
  last_seq: number;
}

export interface ChannelPublished {
  channel: string;
  seq: number;
  id: string;
  duplicate: boolean;
}

export interface RetentionSettings {
  mailbox_ttl_ms: number;
  /** Messages kept per agent; the oldest go first. */
  mailbox_cap: number;
  /** Messages kept per channel; the oldest go first. */
  channel_history_cap: number;
}

/**
 * uWS pub/sub as the hub sees it: the transport subscribes sockets to topics and
 * fans a frame out in C++, serialised once, instead of a JS loop over sockets.
 */
export interface TopicFanout {
  subscribe(link: AgentLink, topic: string): void;
  unsubscribe(link: AgentLink, topic: string): void;
  /** Sends to every socket subscribed to `topic` except the one behind `from`. */
  publish(topic: string, message: Record<string, unknown>, from: AgentLink | null): void;
}

/** Direct and broadcast messages, mailboxes, channels (reference §2, §4). Names are normalised here. */
export interface MessagingPort {
  /** Called once by the transport at start. */
  attachFanout(fanout: TopicFanout): void;
  /** The agent's socket has room again: pushes paused for its send buffer resume. */
  socketDrained(agentId: string): void;
  /** `sender` is an agent id, or `admin:<name>` for an admin over HTTP. */
  send(sender: string, message: OutgoingMessage): Promise<Result<MessageSent>>;
  readMailbox(agentId: string, sinceSeq: number, limit: number): Promise<Result<MailboxPage>>;
  /** Removes every message of the agent up to and including `upToSeq`. */
  ackMailbox(agentId: string, upToSeq: number): Promise<Result<{ up_to: number; count: number }>>;
  listChannels(): ChannelView[];
  channel(name: string): Result<ChannelDetail>;
  createChannel(name: string, description: string, createdBy: string | null): Promise<Result<ChannelView>>;
  subscribe(agentId: string, channel: string): Promise<Result<{ channel: string; already: boolean }>>;
  unsubscribe(agentId: string, channel: string): Promise<Result<{ channel: string; was: boolean }>>;
  publish(sender: string, channel: string, message: Omit<OutgoingMessage, 'to'>): Promise<Result<ChannelPublished>>;
  history(channel: string, sinceSeq: number, limit: number): Promise<Result<{ channel: string; messages: MessageView[] }>>;
  subscriptionsOf(agentId: string): string[];
  retention(): RetentionSettings;
  setRetention(settings: Partial<RetentionSettings>): Promise<Result<RetentionSettings>>;
}

/** A hub event for the dashboard feed and logs; `type` is one of the reference's dashboard event types. */
export interface HubEvent {
  type: string;
  timestamp: number;
  [key: string]: unknown;
}

/** A write the store could not commit, until one succeeds again (storage/write-failure.ts). */
export interface StorageWriteFault {
  kind: 'full' | 'io';
  detail: string;
  at: number;
}

/** A recurring-task schedule as the API shows it. */
export interface ScheduleView {
  id: string;
  name: string | null;
  cron: string;
  timezone: string;
  catch_up: 'none' | 'last' | 'all';
  task: Record<string, unknown>;
  paused: boolean;
  created_at: number;
  last_fired_at: number;
  last_task_id: string | null;
  next_fire_at: number | null;
}

/** Recurring tasks (POST /api/schedules …). */
export interface SchedulesPort {
  create(body: ScheduleCreate): Promise<Result<ScheduleView>>;
  list(): ScheduleView[];
  get(id: string): Result<ScheduleView>;
  pause(id: string): Promise<Result<ScheduleView>>;
  resume(id: string): Promise<Result<ScheduleView>>;
  remove(id: string): Promise<Result<string>>;
}

/** An agent's question as the API shows it (storage/approval-store.ts ApprovalRecord). */
export interface ApprovalView {
  id: string;
  task_id: string;
  agent_id: string;
  generation: number;
  question_id: string;
  question: string;
  options: string[] | null;
  context: Record<string, unknown> | null;
  status: 'pending' | 'answered' | 'closed';
  asked_at: number;
  answer: string | null;
  answered_at: number | null;
  answered_by: string | null;
  closed_reason: string | null;
}

export type ApprovalListStatus = 'pending' | 'answered' | 'closed' | 'all';

/** GET /api/approvals: questions, and (for pending and all) the tasks awaiting approval, oldest first. */
export interface ApprovalList {
  approvals: ApprovalView[];
  count: number;
  tasks_awaiting_approval: Task[];
}

// --- fleet control: budgets, breakers, provider quotas --------------------------------

/** Daily token budgets as set; absent keys mean no limit. */
export interface DailyBudgetSettings {
  fleet?: number;
  agent_default?: number;
  agents?: Record<string, number>;
}

/** A PUT /api/budgets body: a number sets a budget, null removes it. */
export interface DailyBudgetChanges {
  fleet?: number | null;
  agent_default?: number | null;
  agents?: Record<string, number | null>;
}

/** Today's (UTC) budgets and usage. */
export interface DailyBudgetsView {
  day: string;
  resets_at: number;
  settings: DailyBudgetSettings;
  fleet: { budget_tokens: number | null; used_tokens: number; spent: boolean };
  agents: Array<{ agent_id: string; budget_tokens: number | null; used_tokens: number; spent: boolean }>;
}

/** One provider across the fleet: its cap, tasks out with its agents, and its agents parked by a rate limit. */
export interface ProviderView {
  provider: string;
  limit: number | null;
  in_use: number;
  parked: number;
  agents: number;
}

export interface HubPort {
  readonly version: string;
  readonly startedAt: number;
  readonly messaging: MessagingPort;
  /** Null when the hub runs without a schedule store. */
  readonly schedules: SchedulesPort | null;
  /** Storage operations; null in a hub built without them. */
  readonly storage: StoragePort | null;
  /** Token buckets, overrides and whitelist (reference §8); denials reach the hub through its onDenied. */
  readonly rateLimiter: RateLimiter;

  // --- auth -----------------------------------------------------------------
  authenticate(token: string): Principal | null;
  registerAgent(agentId: string): Promise<Result<{ agent_id: string; token: string }>>;
  createToken(request: { agentId?: string; admin?: boolean; name?: string }): Promise<Result<{ token: string; info: TokenInfo }>>;
  listTokens(): TokenInfo[];
  /** open | token | closed (config `registration`). */
  registrationMode(): 'open' | 'token' | 'closed';
  /** A short-lived, single-use token that lets one agent register in `token` mode. */
  issueEnrollmentToken(ttlMs: number): Promise<{ token: string; expires_at: number }>;
  /** True once for a live enrollment token; it is used up. */
  consumeEnrollmentToken(token: string): Promise<boolean>;
  /** Revokes every token of the agent and closes its open socket at once. */
  revokeAgentTokens(agentId: string): Promise<Result<number>>;

  // --- agent sockets ----------------------------------------------------------
  /** Called after the token was checked; replaces any older socket of the same agent. */
  agentConnected(identity: AgentIdentity, link: AgentLink): void;
  agentDisconnected(agentId: string, link: AgentLink): void;
  /** Any inbound frame counts as liveness (reference quirk 12). */
  agentSeen(agentId: string): void;
  setAgentStatus(agentId: string, status: string): void;
  taskAccepted(report: TaskReport): Promise<Result<Task>>;
  /** `mark`: the report's `progress` value and cumulative `tokens_used`, when it has them. */
  taskProgress(report: TaskReport, mark?: { progress?: number; tokensUsed?: number }): Promise<Result<Task>>;
  taskCompleted(report: TaskReport & { generation: number }, result: unknown, tokensUsed: number | null): Promise<Result<Task>>;
  taskFailed(report: TaskReport & { generation: number }, error: string): Promise<Result<{ task: Task; outcome: 'retried' | 'dead_letter' }>>;
  /** The agent declined an assignment (e.g. busy): reclaim at once (reference quirk 1). */
  taskRejected(report: TaskReport, reason: string): Promise<Result<Task>>;
  /** Resolves once the recovery, which counts as the accept, is durable. */
  taskRecovering(agentId: string, taskId: string): Promise<RecoveryAnswer>;
  /** The sidecar stopped the work of a task it was told was cancelled (`task_stopped`); the agent is free. */
  taskStopped(agentId: string, taskId: string): Result<void>;
  /** `agent_rate_limited`: the agent's provider refused it until `until`; it parks keeping its task. Durable before it resolves. */
  agentRateLimited(agentId: string, taskId: string, until: number, generation?: number): Promise<Result<{ until: number }>>;

  // --- agents -------------------------------------------------------------------
  listAgents(): AgentView[];
  agentState(agentId: string): AgentView | undefined;
  /** Lifts a breaker or rate-limit block (operator); durable before it resolves. */
  unblockAgent(agentId: string): Promise<Result<AgentView>>;
  /** Null when the hub runs without a token ledger. */
  dailyBudgets(): DailyBudgetsView | null;
  setDailyBudgets(changes: DailyBudgetChanges): Promise<Result<DailyBudgetsView>>;
  providers(): ProviderView[];

  // --- tasks --------------------------------------------------------------------
  submitTask(body: TaskSubmit, submittedBy: string | null): Promise<Result<{ task: Task; created: boolean }>>;
  /** Bulk submit: items already validated one by one (a refused item carries its failure). */
  submitBulk(items: ReadonlyArray<{ ok: true; value: TaskBulkItem } | Failure>, submittedBy: string | null): Promise<Result<BulkOutcome>>;
  taskLinks(taskId: string): TaskLinks;
  /** Waiting tasks that still need `taskId`. */
  listWaitingOn(taskId: string): TaskListPage;
  getTask(taskId: string): Task | undefined;
  listTasks(query: TaskListQuery): TaskListPage;
  taskStats(): TaskStatsView;
  /** `cascade`: waiting dependents are cancelled too. */
  cancelTask(taskId: string, cascade?: boolean): Promise<Result<Task>>;
  listDeadLetters(query: Pick<TaskListQuery, 'limit' | 'cursor'>): TaskListPage;
  retryDeadLetter(taskId: string): Promise<Result<Task>>;
  purgeDeadLetters(taskId?: string): Promise<Result<number>>;
  // --- approval gates and agents' questions ----------------------------------------
  approveTask(taskId: string, by: string | null, note: string | null): Promise<Result<Task>>;
  rejectTask(taskId: string, by: string | null, reason: string): Promise<Result<Task>>;
  /** An agent's approval_request; resolves once the question is durable. */
  askApproval(agentId: string, request: ApprovalRequest): Promise<Result<ApprovalView>>;
  answerApproval(id: string, answer: string, by: string | null): Promise<Result<ApprovalView>>;
  getApproval(id: string): ApprovalView | undefined;
  listApprovals(status: ApprovalListStatus, limit: number): ApprovalList;

  /** Moves a queued, delayed or waiting task to another lane (0 urgent … 3 low); `from` is the lane it left. */
  reprioritiseTask(taskId: string, priority: number): Promise<Result<{ task: Task; from: number }>>;
  /** An extra path lease for the assignment the agent holds. */
  leaseAcquire(agentId: string, request: LeaseAcquire): Promise<Result<LeaseAcquireAnswer>>;
  /** Releases an extra lease the agent holds. */
  leaseRelease(agentId: string, leaseId: string): Promise<Result<PathLeaseView>>;
  /** Admin push: a task straight to a connected agent, bypassing the queue. */
  pushTask(agentId: string, description: string, metadata: Record<string, unknown>): Promise<Result<Task>>;

  // --- config -------------------------------------------------------------------
  defaultRepo(): string | null;
  setDefaultRepo(url: string): Promise<Result<string>>;
  setLogLevel(level: string): Result<string>;

  // --- dashboard ----------------------------------------------------------------
  dashboardState(): Record<string, unknown>;
  /** The storage write fault /health reports, or null while writes succeed. */
  storageWriteFault(): StorageWriteFault | null;
  /** Every hub event, in order; returns the unsubscribe function. */
  onEvent(listener: (event: HubEvent) => void): () => void;
}
