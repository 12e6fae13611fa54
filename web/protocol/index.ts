// The registry of every wire schema: what the server compiles at boot and
// GET /api/schemas lists. A leaf: imports only the schema files beside it.
import type { TObject } from '@sinclair/typebox';
import { dashboardSchemas } from './dashboard-messages.ts';
import {
  defaultRepoSchema, logLevelSchema, onboardRegisterSchema, pushTaskSchema, tokenCreateSchema,
} from './http-bodies.ts';
import { pageQuerySchema, taskListQuerySchema } from './http-queries.ts';
import { identifySchema } from './identify.ts';
import { listAgentsSchema } from './list-agents.ts';
import {
  channelCreateSchema, channelMemberSchema, channelPostSchema, cursorQuerySchema, mailboxAckSchema, mailboxRetentionSchema,
  messageSendSchema,
} from './messaging-http.ts';
import { messagingSchemas } from './messaging-messages.ts';
import { pingSchema } from './ping.ts';
import { ignoredSidecarSchemas } from './sidecar-reports.ts';
import { statusSchema } from './status.ts';
import { taskAcceptedSchema } from './task-accepted.ts';
import { taskCompleteSchema } from './task-complete.ts';
import { taskFailedSchema } from './task-failed.ts';
import { taskProgressSchema } from './task-progress.ts';
import { taskRecoveringSchema } from './task-recovering.ts';
import { taskRejectedSchema } from './task-rejected.ts';
import { taskStoppedSchema } from './task-stopped.ts';
import { taskSubmitSchema } from './task.ts';

export const protocolVersion = '1.0';

const typeOf = (schema: TObject): string => (schema.properties.type as unknown as { const: string }).const;
const byType = (schemas: TObject[]) => Object.fromEntries(schemas.map((schema) => [typeOf(schema), schema]));

/** Agent socket, client → hub, keyed by `type`. */
export const wsMessageSchemas: Readonly<Record<string, TObject>> = byType([
  identifySchema, pingSchema, statusSchema, listAgentsSchema,
  taskAcceptedSchema, taskProgressSchema, taskCompleteSchema, taskFailedSchema,
  taskRecoveringSchema, taskRejectedSchema,
  taskStoppedSchema,
  ...messagingSchemas,
  ...ignoredSidecarSchemas,
]);

/** Messaging types, handled by web/agent-messaging.ts. */
export const messagingWsTypes: ReadonlySet<string> = new Set(messagingSchemas.map(typeOf));
/** Types that are recognised and have no behaviour (later sidecars). */
export const ignoredWsTypes: ReadonlySet<string> = new Set(ignoredSidecarSchemas.map(typeOf));

export const knownWsTypes: readonly string[] = Object.keys(wsMessageSchemas);

/** Dashboard socket, client → hub, keyed by `type`. */
export const dashboardMessageSchemas: Readonly<Record<string, TObject>> = byType(dashboardSchemas);

/** HTTP bodies and query strings, keyed by a stable name. */
export const httpSchemas = {
  task_submit: taskSubmitSchema,
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
} as const satisfies Record<string, TObject>;
export type HttpSchemaName = keyof typeof httpSchemas;
