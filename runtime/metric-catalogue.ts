// Every metric the hub records, in one place: name, kind, unit, attributes and meaning.
// Names follow OpenTelemetry and Prometheus conventions: the `agentcom_` prefix, base
// units in the name (`_seconds`, `_bytes`), and counters exported as `<name>_total`.
// docs/metrics.md is generated from this list (`npm run docs:metrics`), and a test fails if it drifts.

export type MetricKind = 'counter' | 'histogram' | 'gauge' | 'observable_counter' | 'updown_counter';

export interface MetricDefinition {
  /** The OpenTelemetry instrument name; Prometheus adds `_total` to counters. */
  name: string;
  kind: MetricKind;
  /** UCUM, as OpenTelemetry wants it: `s`, `By`, `1`, or an annotation such as `{task}`. */
  unit: string;
  attributes: readonly string[];
  meaning: string;
}

const metric = (name: string, kind: MetricKind, unit: string, attributes: readonly string[], meaning: string): MetricDefinition =>
  ({ name, kind, unit, attributes, meaning });

/** Histogram bucket bounds for task waits and runs, in seconds: 10 ms to 6 h. */
export const taskSecondsBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

export const metricCatalogue = {
  tasksSubmitted: metric('agentcom_tasks_submitted', 'counter', '{task}', ['priority'], 'Tasks submitted (delayed ones included), by lane.'),
  tasksAssigned: metric('agentcom_tasks_assigned', 'counter', '{task}', ['priority', 'how'], 'Tasks assigned to an agent; `how` is claimed (from the queue) or pushed (admin push).'),
  tasksCompleted: metric('agentcom_tasks_completed', 'counter', '{task}', ['priority'], 'Tasks their agent completed.'),
  tasksFailed: metric('agentcom_tasks_failed', 'counter', '{task}', ['priority', 'outcome'], 'Failure reports accepted; `outcome` is retried or dead_letter.'),
  tasksRetried: metric('agentcom_tasks_retried', 'counter', '{task}', ['priority'], 'Failed tasks that went back to their lane to be retried.'),
  tasksDeadLettered: metric('agentcom_tasks_dead_lettered', 'counter', '{task}', ['priority'], 'Failed tasks with no retries left, moved to the dead letters.'),
  tasksReclaimed: metric('agentcom_tasks_reclaimed', 'counter', '{task}', ['reason'], 'Tasks the hub took back from their agent: agent_disconnect, acceptance_timeout, rejected, stuck, overdue, agent_removed.'),
  tasksCancelled: metric('agentcom_tasks_cancelled', 'counter', '{task}', [], 'Tasks an operator cancelled.'),
  queueDepth: metric('agentcom_queue_depth', 'gauge', '{task}', ['lane'], 'Queued tasks per lane (urgent, high, normal, low).'),
  tasksInStatus: metric('agentcom_tasks_in_status', 'gauge', '{task}', ['status'], 'Tasks that are delayed, awaiting_approval, assigned or dead-lettered now.'),
  taskQueueWait: metric('agentcom_task_queue_wait_seconds', 'histogram', 's', ['priority'], 'Submit (or last return to the lane) → assignment.'),
  taskRun: metric('agentcom_task_run_seconds', 'histogram', 's', [], 'Assignment → completion.'),
  approvalsPending: metric('agentcom_approvals_pending', 'gauge', '{approval}', ['kind'], 'Approvals waiting for an operator now: kind task (tasks awaiting_approval) or question (agents\' unanswered questions).'),
  approvalWait: metric('agentcom_approval_wait_seconds', 'histogram', 's', ['kind', 'decision'], 'Time from submit (task) or ask (question) to the operator\'s decision: approved, rejected or answered.'),
  agents: metric('agentcom_agents', 'gauge', '{agent}', ['state'], 'Known agents by machine state: offline, idle, assigned, working, blocked.'),
  agentStateTime: metric('agentcom_agent_state_seconds', 'counter', 's', ['agent_id', 'state'], 'Time each agent spent in each state, counted when it leaves the state (one series per agent and state: drop it with metric_relabel_configs on very large fleets).'),
  agentTasksCompleted: metric('agentcom_agent_tasks_completed', 'counter', '{task}', ['agent_id'], 'Tasks each agent completed (per-agent utilisation in /api/metrics).'),
  agentTaskRunTime: metric('agentcom_agent_task_run_seconds', 'counter', 's', ['agent_id'], 'Assignment → completion time summed per agent (its average task duration).'),
  socketsConnected: metric('agentcom_sockets_connected', 'updown_counter', '{socket}', ['socket'], 'Open WebSockets: agent (identified) and dashboard.'),
  httpRequests: metric('agentcom_http_requests', 'counter', '{request}', ['route', 'method', 'status'], 'HTTP requests answered, by route pattern and status code.'),
  wsFramesReceived: metric('agentcom_ws_frames_received', 'counter', '{frame}', ['socket', 'type'], 'WebSocket frames received, by socket kind and message type (invalid when the frame failed validation).'),
  wsFramesSent: metric('agentcom_ws_frames_sent', 'counter', '{frame}', ['socket', 'type'], 'WebSocket frames sent to agents, by message type; dashboard batches as type events.'),
  validationErrors: metric('agentcom_validation_errors', 'counter', '{error}', ['surface'], 'Inputs refused by schema validation: http, agent_ws or dashboard_ws.'),
  rateLimitDenials: metric('agentcom_rate_limit_denials', 'counter', '{request}', ['tier'], 'Requests and frames refused by the rate limiter, by tier.'),
  backpressureCloses: metric('agentcom_backpressure_closes', 'counter', '{socket}', ['socket'], 'Sockets closed because they did not read fast enough.'),
  storageSize: metric('agentcom_storage_size_bytes', 'gauge', 'By', [], 'Bytes the LMDB environment uses (map pages in use × page size).'),
  storageFreePages: metric('agentcom_storage_free_pages', 'gauge', '{page}', [], 'Pages left in the LMDB map before it must grow (lmdb-js grows the map when it fills).'),
  lastBackupAge: metric('agentcom_last_backup_age_seconds', 'gauge', 's', [], 'Seconds since the newest good backup; absent until backups exist.'),
  supervisorRestarts: metric('agentcom_supervisor_restarts', 'observable_counter', '{restart}', ['supervisor'], 'Child restarts by supervisor: root (its services), agents and tasks (their partitions and actors).'),
  eventLoopDelay: metric('agentcom_event_loop_delay_seconds', 'gauge', 's', ['stat'], 'Event-loop delay since the previous 10 s tick: stat p50, p99 or max.'),
  processCpu: metric('agentcom_process_cpu_seconds', 'observable_counter', 's', ['mode'], 'CPU time the process used, user and system.'),
  pathLeasesHeld: metric('agentcom_path_leases_held', 'gauge', '{lease}', [], 'Path leases held now: assigned tasks\' own (their paths) and extra ones agents took over the socket.'),
  leaseWaitingTasks: metric('agentcom_lease_waiting_tasks', 'gauge', '{task}', [], 'Queued tasks the scheduler passed over because another task\'s lease overlaps their paths.'),
  leaseRequests: metric('agentcom_lease_requests', 'counter', '{request}', ['result'], 'Socket lease requests answered: granted, denied (overlap) or released.'),
  tasksReprioritised: metric('agentcom_tasks_reprioritised', 'counter', '{task}', ['priority'], 'Tasks an operator moved to another lane, by the lane they moved to.'),
  agentBlocks: metric('agentcom_agent_blocks', 'counter', '{block}', ['reason'], 'Times an agent became blocked: breaker (consecutive failures) or rate_limited (parked by its provider, keeping its task).'),
  tasksBudgetExceeded: metric('agentcom_tasks_budget_exceeded', 'counter', '{task}', [], 'Tasks whose cumulative tokens_used passed their budget_tokens: dead-lettered with budget_exceeded, their agent stopped.'),
  dailyBudgetsExhausted: metric('agentcom_daily_budgets_exhausted', 'counter', '{budget}', ['scope'], 'Daily token budgets used up (scope agent or fleet); dispatch stops for them until 00:00 UTC.'),
  tasksNoProgress: metric('agentcom_tasks_no_progress', 'counter', '{task}', [], 'Tasks flagged because their progress reports showed no change for no_progress_after_ms.'),
  processMemory: metric('agentcom_process_memory_bytes', 'gauge', 'By', ['kind'], 'Process memory: rss, heap_used, external.'),
} as const satisfies Record<string, MetricDefinition>;

/** The name Prometheus shows: counters get `_total`. */
export function prometheusName(definition: MetricDefinition): string {
  return definition.kind === 'counter' || definition.kind === 'observable_counter' ? `${definition.name}_total` : definition.name;
}

const kindShown: Record<MetricKind, string> = {
  counter: 'counter', observable_counter: 'counter', histogram: 'histogram', gauge: 'gauge', updown_counter: 'gauge',
};

/** docs/metrics.md, generated. */
export function metricsMarkdown(): string {
  const rows = Object.values(metricCatalogue).map((definition: MetricDefinition) =>
    `| \`${prometheusName(definition)}\` | ${kindShown[definition.kind]} | \`${definition.unit}\` | ${definition.attributes.map((a) => `\`${a}\``).join(', ') || '–'} | ${definition.meaning} |`);
  return [
    '# Metrics',
    '',
    '<!-- Generated from runtime/metric-catalogue.ts by `npm run docs:metrics`; a test fails when this file drifts. -->',
    '',
    'Every instrument the hub records through OpenTelemetry. Prometheus names as `GET /metrics` shows them; over OTLP counters keep the name without `_total`. See [monitoring.md](monitoring.md) for scraping, OTLP and alerts.',
    '',
    '| Name | Kind | Unit | Attributes | Meaning |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
