// HTTP request bodies other than task submit (which lives in task.ts), reference §4.
import { Type, type Static } from '@sinclair/typebox';
import { pathGlobList } from '../../storage/domain/path-glob.ts';
import { agentIdField, fieldLimits, nameField } from './field-limits.ts';

const body = <P extends import('@sinclair/typebox').TProperties>(id: string, properties: P) =>
  Type.Object(properties, { additionalProperties: true, $id: `http/${id}` });

/** POST /api/onboard/register. The id must not be empty. */
export const onboardRegisterSchema = body('onboard_register', {
  agent_id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' }),
  /** Needed when registration is `token`; checked by the route (any other value is refused as a bad token). */
  enrollment_token: Type.Optional(Type.Unknown()),
});
export type OnboardRegister = Static<typeof onboardRegisterSchema>;

/** PUT /api/config/default-repo. */
export const defaultRepoSchema = body('default_repo', { url: Type.String({ minLength: 1, maxLength: 2048 }) });
export type DefaultRepoBody = Static<typeof defaultRepoSchema>;

/** POST /api/admin/push-task. */
export const pushTaskSchema = body('push_task', {
  agent_id: agentIdField,
  description: Type.String({ minLength: 1, maxLength: fieldLimits.description }),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Globs the pushed task leases (in metadata.repo, or the default repo), as a submit's; refused while another task's lease overlaps them. */
  paths: Type.Optional(pathGlobList),
});
export type PushTaskBody = Static<typeof pushTaskSchema>;

/**
 * POST /admin/tokens. The reference takes only `agent_id`; `admin` and `name` are
 * ours, for `agentcom token create --admin`. An agent token needs agent_id (checked in the route).
 */
export const tokenCreateSchema = body('token_create', {
  agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  admin: Type.Optional(Type.Boolean()),
  name: Type.Optional(nameField),
});
export type TokenCreateBody = Static<typeof tokenCreateSchema>;

/** PUT /api/admin/log-level. Membership is checked by the route so it can answer `invalid_level`. */
export const logLevelSchema = body('log_level', { level: Type.String({ maxLength: 32 }) });
export type LogLevelBody = Static<typeof logLevelSchema>;
export const logLevels = ['debug', 'info', 'notice', 'warning', 'error'] as const;
