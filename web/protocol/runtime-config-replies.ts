// HTTP replies of the runtime configuration routes: the default repository and the log level.
import { Type } from '@sinclair/typebox';

const repo = Type.Union([Type.String(), Type.Null()]);

/** GET /api/config/default-repo; `url` too, the name add-agent.js reads (reference quirk 9). */
export const defaultRepoReplySchema = Type.Object({ default_repo: repo, url: repo, configured: Type.Boolean() });

/** PUT /api/config/default-repo. */
export const defaultRepoSetSchema = Type.Object({ status: Type.Literal('ok'), default_repo: repo });

/** PUT /api/admin/log-level. */
export const logLevelSetSchema = Type.Object({ status: Type.Literal('ok'), level: Type.String() });
