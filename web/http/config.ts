// Runtime configuration over HTTP: the default repository and the log level.
import { logLevels } from '../protocol/http-bodies.ts';
import { errorReply, failureReply, typedReply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function configRoutes({ hub: { config } }: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/api/config/default-repo', auth: 'none',
      handle() {
        const repo = config.defaultRepo();
        // `url` too: add-agent.js reads that name (reference quirk 9).
        return typedReply('default_repo', 200, { default_repo: repo, url: repo, configured: repo !== null });
      },
    },
    {
      method: 'PUT', path: '/api/config/default-repo', auth: 'admin', body: 'default_repo',
      async handle({ body }) {
        const set = await config.setDefaultRepo(body.url);
        return set.ok ? typedReply('default_repo_set', 200, { status: 'ok', default_repo: set.value }) : failureReply(set);
      },
    },
    {
      method: 'PUT', path: '/api/admin/log-level', auth: 'admin', body: 'log_level',
      handle({ body }) {
        const { level } = body;
        if (!(logLevels as readonly string[]).includes(level)) {
          return errorReply('AC_ERR_INVALID_LOG_LEVEL', { valid_levels: [...logLevels] });
        }
        const set = config.setLogLevel(level);
        return set.ok ? typedReply('log_level_set', 200, { status: 'ok', level: set.value }) : failureReply(set);
      },
    },
  ];
}
