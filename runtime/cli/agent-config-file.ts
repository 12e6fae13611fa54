// Where `agentcom agent add` keeps each agent's sidecar config, and how it is
// written: `<dir>/<agent_id>/config.json`, mode 0600 because it holds the token.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The keys add writes; the sidecar reads these and fills in the rest (docs/sidecar.md). */
export interface AgentSidecarConfig {
  agent_id: string;
  name: string;
  token: string;
  hub_url: string;
  hub_api_url: string;
  capabilities: string[];
  wake_command?: string;
  repo_dir?: string;
  [key: string]: unknown;
}

export type ConfigRead =
  | { state: 'missing' }
  | { state: 'unreadable'; reason: string }
  | { state: 'present'; config: Partial<AgentSidecarConfig> };

/** `--dir`, else AGENTCOM_HOME, else ~/.agentcom; a leading `~` is expanded since a quoted flag keeps it. */
export function agentsDirFrom(flag: string | undefined): string {
  const raw = flag || process.env.AGENTCOM_HOME || path.join(homedir(), '.agentcom');
  return path.resolve(raw === '~' || raw.startsWith('~/') ? path.join(homedir(), raw.slice(1)) : raw);
}

export const agentFolderOf = (agentsDir: string, agentId: string): string => path.join(agentsDir, agentId);
export const configPathOf = (agentsDir: string, agentId: string): string => path.join(agentsDir, agentId, 'config.json');

export function readAgentConfig(configPath: string): ConfigRead {
  if (!existsSync(configPath)) return { state: 'missing' };
  try {
    const parsed: unknown = JSON.parse(readFileSync(configPath, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { state: 'unreadable', reason: 'not a JSON object' };
    }
    return { state: 'present', config: parsed as Partial<AgentSidecarConfig> };
  } catch (error) {
    return { state: 'unreadable', reason: (error as Error).message };
  }
}

/** Temp file then rename, so a sidecar never reads half a config; 0600 from the first byte. */
export function writeAgentConfig(configPath: string, config: AgentSidecarConfig): void {
  mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 });
  const temp = `${configPath}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // An existing temp file keeps its old mode through writeFileSync; make sure.
  chmodSync(temp, 0o600);
  renameSync(temp, configPath);
}
