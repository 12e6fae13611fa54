// The log lines of the task and agent lifecycle, written from the hub's event bus
// (one line per event) through a child logger that carries task_id and agent_id.
import type { Logger } from './logger.ts';
import type { HubEventName, TypedHubEvent } from './hub-events.ts';

/**
 * The level of each event's line; events not listed are not logged here. The happy path of
 * every task is debug: at info it would cost a winston pass per event on the hot path.
 */
const levels: Partial<Record<HubEventName, string>> = {
  'task.submitted': 'debug', 'task.delayed': 'debug', 'task.queued': 'debug', 'task.assigned': 'debug',
  'task.accepted': 'debug', 'task.completed': 'debug', 'task.retried': 'warning', 'task.dead_lettered': 'warning',
  'task.reclaimed': 'notice', 'task.cancelled': 'notice', 'task.requeued': 'notice',
  'task.waiting': 'debug', 'task.dependency_settled': 'debug',
  'task.awaiting_approval': 'info', 'task.approved': 'notice', 'task.rejected': 'notice',
  'approval.asked': 'info', 'approval.answered': 'notice', 'approval.closed': 'info',
  'agent.joined': 'info', 'agent.left': 'info', 'agent.removed': 'notice', 'agent.state_changed': 'debug', 'agent.status_changed': 'debug',
  'alert.fired': 'warning', 'alert.cleared': 'notice', 'alert.acknowledged': 'notice',
  'task.reprioritised': 'notice', 'lease.acquired': 'info', 'lease.denied': 'info', 'lease.released': 'info',
  'agent.blocked': 'warning', 'agent.unblocked': 'notice', 'task.budget_exceeded': 'warning', 'task.no_progress': 'warning',
  'budget.exhausted': 'warning',
};

const messages = Object.fromEntries(Object.keys(levels).map((name) => [name, name.replace(/[._]/g, ' ')])) as Record<HubEventName, string>;

export function eventLog(logger: Logger): (event: TypedHubEvent) => void {
  return (event) => {
    const level = levels[event.type];
    if (!level || !logger.isLevelEnabled(level)) return;
    const [context, fields] = split(event);
    // The message reads as words ("task assigned"); `event` keeps the dotted name for jq.
    logger.child(context).log(level, messages[event.type], { event: event.type, ...fields });
  };
}

/** The child logger's context (which task, which agent) and the line's own fields. */
function split(event: TypedHubEvent): [Record<string, unknown>, Record<string, unknown>] {
  switch (event.type) {
    case 'task.submitted': case 'task.delayed': case 'task.queued': case 'task.requeued': case 'task.waiting':
    case 'task.dependency_settled':
      return [{ task_id: event.task.id }, { priority: event.task.priority, status: event.task.status }];
    case 'task.assigned':
      return [{ task_id: event.task.id, agent_id: event.agentId }, { generation: event.task.generation, latency_ms: event.latencyMs, how: event.how }];
    case 'task.accepted':
      return [{ task_id: event.task.id, agent_id: event.agentId }, { generation: event.task.generation }];
    case 'task.completed':
      return [{ task_id: event.task.id, agent_id: event.agentId }, { tokens_used: event.task.tokens_used }];
    case 'task.retried': case 'task.dead_lettered':
      return [{ task_id: event.task.id, agent_id: event.agentId }, { error: event.error, retry_count: event.task.retry_count }];
    case 'task.reclaimed':
      return [{ task_id: event.task.id, agent_id: event.agentId }, { reason: event.reason }];
    case 'task.cancelled':
      return [{ task_id: event.task.id, agent_id: event.agentId }, {}];
    case 'task.awaiting_approval':
      return [{ task_id: event.task.id }, { priority: event.task.priority }];
    case 'task.approved':
      return [{ task_id: event.task.id }, { by: event.by, status: event.task.status, waited_ms: event.waitedMs }];
    case 'task.rejected':
      return [{ task_id: event.task.id }, { by: event.by, reason: event.reason, waited_ms: event.waitedMs }];
    case 'approval.asked': case 'approval.answered': case 'approval.closed':
      return [{ task_id: event.approval.task_id, agent_id: event.approval.agent_id }, {
        approval_id: event.approval.id, question_id: event.approval.question_id,
        ...(event.type === 'approval.answered' ? { by: event.approval.answered_by, waited_ms: event.waitedMs } : {}),
        ...(event.type === 'approval.closed' ? { reason: event.approval.closed_reason } : {}),
      }];
    case 'agent.joined':
      return [{ agent_id: event.agent.agentId }, { capabilities: event.agent.identity.capabilities }];
    case 'agent.removed':
      return [{ agent_id: event.agentId }, {}];
    case 'agent.left':
      return [{ agent_id: event.agent.agentId }, {}];
    case 'agent.state_changed':
      return [{ agent_id: event.agent.agentId }, { from: event.from, to: event.to }];
    case 'agent.status_changed':
      return [{ agent_id: event.agent.agentId }, { status: event.agent.identity.status }];
    case 'alert.fired':
      return [{ module: 'alerter' }, { rule_id: event.alert.rule_id, severity: event.alert.severity, alert_message: event.alert.message }];
    case 'task.reprioritised':
      return [{ task_id: event.task.id }, { from: event.from, to: event.task.priority, status: event.task.status }];
    case 'lease.acquired': case 'lease.released':
      return [{ task_id: event.lease.task_id, agent_id: event.lease.agent_id }, { lease_id: event.lease.lease_id, repo: event.lease.repo, paths: event.lease.paths }];
    case 'lease.denied':
      return [{ task_id: event.taskId, agent_id: event.agentId }, { paths: event.paths, holder_task_id: event.holder.task_id, holder_lease_id: event.holder.lease_id }];
    case 'alert.cleared': case 'alert.acknowledged':
      return [{ module: 'alerter' }, { rule_id: event.ruleId }];
    case 'agent.blocked':
      return [{ agent_id: event.agent.agentId }, { reason: event.reason, until: event.until, consecutive_failures: event.consecutiveFailures }];
    case 'agent.unblocked':
      return [{ agent_id: event.agent.agentId }, { reason: event.reason }];
    case 'task.budget_exceeded':
      return [{ task_id: event.task.id, agent_id: event.agentId }, { tokens_used: event.tokensUsed, budget_tokens: event.budgetTokens }];
    case 'task.no_progress':
      return [{ task_id: event.task.id, agent_id: event.agentId }, { since_ms: event.sinceMs }];
    case 'budget.exhausted':
      return [{ agent_id: event.agentId }, { scope: event.scope, used_tokens: event.usedTokens, budget_tokens: event.budgetTokens, day: event.day }];
    default:
      return [{}, {}];
  }
}
