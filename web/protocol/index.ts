// The registry of every wire schema: what the server compiles at boot and
// GET /api/schemas lists. A leaf: imports only the schema files beside it.
import type { Static, TObject } from '@sinclair/typebox';
import {
  errorFrameSchema, identifiedSchema, pongSchema, rateLimitedSchema, rateLimitWarningSchema, statusUpdatedSchema, taskAckSchema,
  taskCancelledSchema, taskContinueSchema, taskReassignSchema, taskResumeSchema,
} from './agent-replies.ts';
import { alertThresholdsBodySchema, heartbeatIntervalSchema } from './observability-bodies.ts';
import { dashboardSchemas } from './dashboard-messages.ts';
import {
  defaultRepoSchema, logLevelSchema, onboardRegisterSchema, pushTaskSchema, tokenCreateSchema,
} from './http-bodies.ts';
import { pageQuerySchema, taskListQuerySchema } from './http-queries.ts';
import { identifySchema } from './identify.ts';
import { agentsReplySchema, listAgentsSchema } from './list-agents.ts';
import { messageDeliverySchemas } from './message-delivery.ts';
import { messagingReplySchemas } from './messaging-replies.ts';
import { presenceSchemas } from './presence.ts';
import { dashboardEventSchemas, eventsFrameSchema } from './dashboard-events.ts';
import { dashboardReplySchemas } from './dashboard-replies.ts';
import { snapshotFrameSchema } from './dashboard-snapshot.ts';
import {
  channelCreateSchema, channelMemberSchema, channelPostSchema, cursorQuerySchema, mailboxAckSchema, mailboxRetentionSchema,
  messageSendSchema,
} from './messaging-http.ts';
import { messagingSchemas } from './messaging-messages.ts';
import { pingSchema } from './ping.ts';
import { ignoredSidecarSchemas } from './sidecar-reports.ts';
import { statusSchema } from './status.ts';
import { restoreRequestSchema } from './storage-admin.ts';
import { taskAcceptedSchema } from './task-accepted.ts';
import { taskAssignSchema } from './task-assign.ts';
import { taskCompleteSchema } from './task-complete.ts';
import { taskFailedSchema } from './task-failed.ts';
import { taskProgressSchema } from './task-progress.ts';
import { taskRecoveringSchema } from './task-recovering.ts';
import { taskRejectedSchema } from './task-rejected.ts';
import { taskStoppedSchema } from './task-stopped.ts';
import { taskPatchSchema, taskSubmitSchema } from './task.ts';
import { leaseAcquireSchema, leaseReleaseSchema, leaseResultSchema } from './path-leases.ts';
import { agentRateLimitedSchema } from './agent-rate-limited.ts';
import { dailyBudgetsUpdateSchema } from './fleet-control.ts';
import { taskBulkItemSchema, taskBulkSchema } from './task-bulk.ts';
import { scheduleCreateSchema } from './schedule.ts';
import { enrollmentTokenCreateSchema } from './enrollment.ts';
import { rateLimitOverrideSchema, whitelistAddSchema, whitelistSetSchema } from './rate-limits.ts';
import {
  approvalAckSchema, approvalAnswerBodySchema, approvalAnswerSchema, approvalListQuerySchema, approvalRequestSchema, taskApproveSchema,
  taskRejectSchema,
} from './approvals.ts';

export const protocolVersion = '1.0';

const typeOf = (schema: TObject): string => (schema.properties.type as unknown as { const: string }).const;
const byType = (schemas: TObject[]) => Object.fromEntries(schemas.map((schema) => [typeOf(schema), schema]));

const taskReportSchemas = [
  taskAcceptedSchema, taskProgressSchema, taskCompleteSchema, taskFailedSchema, taskRecoveringSchema, taskRejectedSchema,
  taskStoppedSchema,
];
const agentFrameSchemas = [
  identifySchema, pingSchema, statusSchema, listAgentsSchema,
  ...taskReportSchemas,
  agentRateLimitedSchema,
  ...messagingSchemas,
  approvalRequestSchema,
  leaseAcquireSchema, leaseReleaseSchema,
  ...ignoredSidecarSchemas,
];

/** An agent's report about a task it holds; `type` tells which. */
export type TaskReportFrame = Static<(typeof taskReportSchemas)[number]>;
/** Any agent-socket frame that passed its schema: the validator narrows to this, `type` discriminates. */
export type AgentFrame = Static<(typeof agentFrameSchemas)[number]>;

/** Agent socket, client → hub, keyed by `type`. */
export const wsMessageSchemas: Readonly<Record<string, TObject>> = byType(agentFrameSchemas);

const agentOutboundSchemas = [
  taskAssignSchema, taskAckSchema, taskContinueSchema, taskReassignSchema, taskCancelledSchema, taskResumeSchema,
  identifiedSchema, pongSchema, statusUpdatedSchema, approvalAckSchema, approvalAnswerSchema, leaseResultSchema,
  errorFrameSchema, rateLimitedSchema, rateLimitWarningSchema,
  agentsReplySchema, ...messagingReplySchemas, ...messageDeliverySchemas, ...presenceSchemas,
];
/** Any frame the hub sends an agent; `type` tells which. */
export type AgentOutboundFrame = Static<(typeof agentOutboundSchemas)[number]>;

/** Agent socket, hub → client, keyed by `type`: each is serialized by a function compiled from its schema. */
export const wsOutboundSchemas: Readonly<Record<string, TObject>> = byType(agentOutboundSchemas);

const dashboardOutboundFrames = [snapshotFrameSchema, eventsFrameSchema, ...dashboardReplySchemas];
/** Any frame the hub sends a dashboard. */
export type DashboardOutboundFrame = Static<(typeof dashboardOutboundFrames)[number]>;

/** Dashboard socket, hub → client, keyed by `type`. */
export const dashboardOutboundSchemas: Readonly<Record<string, TObject>> = byType(dashboardOutboundFrames);

/** The events inside a dashboard `events` frame, keyed by `type`. */
export const dashboardEventSchemasByType: Readonly<Record<string, TObject>> = byType(dashboardEventSchemas);

export const knownWsTypes: readonly string[] = Object.keys(wsMessageSchemas);

/** Dashboard socket, client → hub, keyed by `type`. */
export const dashboardMessageSchemas: Readonly<Record<string, TObject>> = byType(dashboardSchemas);

/** HTTP bodies and query strings, keyed by a stable name. */
export const httpSchemas = {
  task_submit: taskSubmitSchema,
  task_patch: taskPatchSchema,
  task_list_query: taskListQuerySchema,
  page_query: pageQuerySchema,
  onboard_register: onboardRegisterSchema,
  default_repo: defaultRepoSchema,
  push_task: pushTaskSchema,
  token_create: tokenCreateSchema,
  log_level: logLevelSchema,
  message_send: messageSendSchema,
  mailbox_ack: mailboxAckSchema,
  cursor_query: cursorQuerySchema,
  channel_create: channelCreateSchema,
  channel_member: channelMemberSchema,
  channel_post: channelPostSchema,
  mailbox_retention: mailboxRetentionSchema,
  task_bulk: taskBulkSchema,
  task_bulk_item: taskBulkItemSchema,
  schedule_create: scheduleCreateSchema,
  alert_thresholds: alertThresholdsBodySchema,
  heartbeat_interval: heartbeatIntervalSchema,
  restore_request: restoreRequestSchema,
  rate_limit_override: rateLimitOverrideSchema,
  whitelist_set: whitelistSetSchema,
  whitelist_add: whitelistAddSchema,
  enrollment_token_create: enrollmentTokenCreateSchema,
  task_approve: taskApproveSchema,
  task_reject: taskRejectSchema,
  approval_answer: approvalAnswerBodySchema,
  approval_list_query: approvalListQuerySchema,
  daily_budgets_update: dailyBudgetsUpdateSchema,
} as const satisfies Record<string, TObject>;
export type HttpSchemaName = keyof typeof httpSchemas;
/** What a body or query string is once the schema `N` has passed it. */
export type HttpInput<N extends HttpSchemaName> = Static<(typeof httpSchemas)[N]>;
