// The registry of HTTP reply bodies: every JSON reply a route sends names one of these
// (web/http/reply.ts typedReply), is typed by it, and is serialized by a function compiled
// from it (web/frame-serializer.ts); GET /api/schemas lists them under `outbound.http`.
// The schemas live by concept beside the bodies they answer; failures share errorBodySchema.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { alertThresholdsSchema } from '../../storage/domain/alert-thresholds.ts';
import { agentRegisteredSchema, enrollmentTokenIssuedSchema, tokenCreatedSchema, tokenListSchema, tokensRevokedSchema } from './access-replies.ts';
import { agentListSchema, agentStateDetailSchema, agentStatesSchema } from './agent-view.ts';
import { approvalDecidedSchema, approvalListSchema, approvalViewSchema } from './approvals.ts';
import { dashboardStateSchema } from './dashboard-snapshot.ts';
import { agentUnblockedSchema, dailyBudgetsViewSchema, providerListSchema } from './fleet-control.ts';
import { healthReplySchema } from './health.ts';
import { errorBodySchema } from './http-error.ts';
import {
  channelCreatedSchema, channelDetailSchema, channelHistoryPageSchema, channelListSchema, channelMembershipSchema, channelPublishedBodySchema,
  mailboxAckedSchema, mailboxPageSchema, messageSentBodySchema, retentionSettingsSchema, retentionUpdatedSchema, subscriptionsSchema,
} from './messaging-http.ts';
import { metricsReplySchema } from './metrics-snapshot.ts';
import {
  alertAcknowledgedReplySchema, alertListSchema, alertThresholdsUpdatedSchema, heartbeatIntervalReplySchema,
} from './observability-replies.ts';
import { rateLimitOverrideChangedSchema, rateLimitsViewSchema, whitelistChangedSchema, whitelistSchema } from './rate-limits.ts';
import { defaultRepoReplySchema, defaultRepoSetSchema, logLevelSetSchema } from './runtime-config-replies.ts';
import { scheduleDeletedSchema, scheduleListSchema, scheduleViewSchema } from './schedule.ts';
import {
  backupListingSchema, backupTakenSchema, compactionReplySchema, restoreReplySchema, storageHealthSchema, tableCompactionReplySchema,
} from './storage-admin.ts';
import {
  deadLettersPurgedSchema, taskBulkReplySchema, taskCancelledReplySchema, taskDetailSchema, taskPageSchema, taskPushedSchema,
  taskReprioritisedSchema, taskRequeuedSchema, taskStatsSchema, taskSubmittedSchema,
} from './task-replies.ts';

export { errorBodySchema };

/** GET /api/schemas: this registry and the others (web/protocol/index.ts), as they were compiled. */
export const schemaCatalogueSchema = Type.Object({
  schemas: Type.Object({
    websocket: Type.Record(Type.String(), Type.Unknown()),
    dashboard: Type.Record(Type.String(), Type.Unknown()),
    http: Type.Record(Type.String(), Type.Unknown()),
    version: Type.String(),
    outbound: Type.Object({
      websocket: Type.Record(Type.String(), Type.Unknown()),
      dashboard: Type.Record(Type.String(), Type.Unknown()),
      dashboard_events: Type.Record(Type.String(), Type.Unknown()),
      http: Type.Record(Type.String(), Type.Unknown()),
    }),
  }),
  version: Type.String(),
});

/** Keyed by a stable name: the name a route's typedReply gives, and the key under `outbound.http`. */
export const httpReplySchemas = {
  error: errorBodySchema,
  // tasks
  task_submitted: taskSubmittedSchema,
  task_bulk: taskBulkReplySchema,
  task_page: taskPageSchema,
  task_stats: taskStatsSchema,
  task_detail: taskDetailSchema,
  task_reprioritised: taskReprioritisedSchema,
  task_requeued: taskRequeuedSchema,
  task_cancelled: taskCancelledReplySchema,
  task_pushed: taskPushedSchema,
  dead_letters_purged: deadLettersPurgedSchema,
  // agents and fleet control
  agent_list: agentListSchema,
  agent_states: agentStatesSchema,
  agent_state: agentStateDetailSchema,
  agent_unblocked: agentUnblockedSchema,
  daily_budgets: dailyBudgetsViewSchema,
  provider_list: providerListSchema,
  // approvals
  approval_decided: approvalDecidedSchema,
  approval_list: approvalListSchema,
  approval: approvalViewSchema,
  // messages and channels
  message_sent: messageSentBodySchema,
  mailbox_page: mailboxPageSchema,
  mailbox_acked: mailboxAckedSchema,
  mailbox_retention: retentionSettingsSchema,
  mailbox_retention_updated: retentionUpdatedSchema,
  channel_list: channelListSchema,
  channel_created: channelCreatedSchema,
  channel: channelDetailSchema,
  channel_membership: channelMembershipSchema,
  channel_published: channelPublishedBodySchema,
  channel_history: channelHistoryPageSchema,
  subscriptions: subscriptionsSchema,
  // access
  agent_registered: agentRegisteredSchema,
  token_created: tokenCreatedSchema,
  token_list: tokenListSchema,
  tokens_revoked: tokensRevokedSchema,
  enrollment_token: enrollmentTokenIssuedSchema,
  // configuration
  default_repo: defaultRepoReplySchema,
  default_repo_set: defaultRepoSetSchema,
  log_level_set: logLevelSetSchema,
  heartbeat_interval: heartbeatIntervalReplySchema,
  // health, metrics and alerts
  health: healthReplySchema,
  dashboard_state: dashboardStateSchema,
  metrics: metricsReplySchema,
  alert_list: alertListSchema,
  alert_acknowledged: alertAcknowledgedReplySchema,
  alert_thresholds: alertThresholdsSchema,
  alert_thresholds_updated: alertThresholdsUpdatedSchema,
  // rate limits
  rate_limits: rateLimitsViewSchema,
  whitelist: whitelistSchema,
  whitelist_changed: whitelistChangedSchema,
  rate_limit_override_changed: rateLimitOverrideChangedSchema,
  // schedules
  schedule: scheduleViewSchema,
  schedule_list: scheduleListSchema,
  schedule_deleted: scheduleDeletedSchema,
  // storage
  backup_taken: backupTakenSchema,
  backup_list: backupListingSchema,
  restore_started: restoreReplySchema,
  compaction: compactionReplySchema,
  table_compaction: tableCompactionReplySchema,
  storage_health: storageHealthSchema,
  schema_catalogue: schemaCatalogueSchema,
} as const satisfies Record<string, TSchema>;
export type HttpReplyName = keyof typeof httpReplySchemas;
export type HttpReply<N extends HttpReplyName> = Static<(typeof httpReplySchemas)[N]>;
