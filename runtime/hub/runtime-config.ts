// Runtime configuration: the default repository (a durable setting) and the log level.
import type { SettingsStore } from '../../storage/settings-store.ts';
import type { RuntimeConfigPort } from '../../web/ports/runtime-config-port.ts';
import { fail, ok, type Result } from '../../storage/domain/errors.ts';
import type { Logger } from '../logger.ts';

const defaultRepoKey = 'default_repo';
const logLevels = ['debug', 'info', 'notice', 'warning', 'error'];

export class RuntimeConfig implements RuntimeConfigPort {
  constructor(private readonly settings: SettingsStore, private readonly logger: Logger) {}

  defaultRepo(): string | null {
    return this.settings.get<string>(defaultRepoKey) ?? null;
  }

  async setDefaultRepo(url: string): Promise<Result<string>> {
    await this.settings.set(defaultRepoKey, url);
    return ok(url);
  }

  setLogLevel(level: string): Result<string> {
    if (!logLevels.includes(level)) return fail('AC_ERR_INVALID_LOG_LEVEL', level, logLevels.join(', '));
    this.logger.level = level;
    return ok(level);
  }
}
