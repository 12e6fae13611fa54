// Settings an operator changes while the hub runs: the default repository and the log level.
import type { Result } from '../../storage/domain/errors.ts';

export interface RuntimeConfigPort {
  defaultRepo(): string | null;
  setDefaultRepo(url: string): Promise<Result<string>>;
  setLogLevel(level: string): Result<string>;
}
