// `agentcom agent add`: register with the hub, write the sidecar config, start the
// sidecar under pm2 (or print how). Running it again for an agent whose config and
// token still work changes nothing.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { cultureShipNames, slugOf } from '../culture-names.ts';
import { agentFolderOf, configPathOf, readAgentConfig, writeAgentConfig, type AgentSidecarConfig } from './agent-config-file.ts';
import { caFileVariable, describeHubError, hubRequest, wsUrlOf } from './hub-request.ts';
import { findPm2, manualStartCommands, pm2NameOf, startUnderPm2 } from './sidecar-launch.ts';

export interface AddAgentOptions {
  hubUrl: string;
  agentsDir: string;
  name?: string;
  capabilities: string[];
  wakeCommand?: string;
  repoDir?: string;
  start: boolean;
  /** A single-use enrollment token, for a hub with `registration: token`. */
  enrollToken?: string;
}

export type StartOutcome =
  | { how: 'pm2'; pm2_name: string; output: string }
  | { how: 'pm2_failed'; pm2_name: string; output: string }
  | { how: 'no_pm2' }
  | { how: 'not_requested' };

/** The hub's default repository, cloned into the agent's folder when no --repo-dir is given. */
export type WorkspaceOutcome =
  | { how: 'given'; repo_dir: string }
  | { how: 'cloned'; repo_dir: string; url: string }
  | { how: 'clone_failed'; url: string; detail: string; command: string }
  | { how: 'none' };

export interface AddedAgent {
  status: 'created' | 'exists';
  workspace?: WorkspaceOutcome;
  agent_id: string;
  name: string;
  config_path: string;
  hub_api_url: string;
  hub_ws_url: string;
  start: StartOutcome;
  start_commands: { foreground: string; pm2: string };
}

export type AddResult = { ok: true; value: AddedAgent } | { ok: false; reason: string };

/** Random names tried when none is given, each after a 409 from the hub. */
const maxNameTries = 10;

export async function addAgent(options: AddAgentOptions): Promise<AddResult> {
  if (options.repoDir && !isFolder(options.repoDir)) return { ok: false, reason: `--repo-dir ${options.repoDir} is not a folder` };

  if (options.name !== undefined) {
    const agentId = slugOf(options.name);
    if (!agentId) return { ok: false, reason: `--name ${JSON.stringify(options.name)} has no letters or digits to make an agent id from` };
    const existing = await existingAgent(options, agentId);
    if (existing) return existing;
    const registered = await register(options.hubUrl, agentId, options.enrollToken);
    if (registered.state === 'taken') {
      return {
        ok: false,
        reason: `agent id ${agentId} is already registered on ${options.hubUrl}, and ${configPathOf(options.agentsDir, agentId)} holds no working token for it; `
          + `choose another --name, or free the id with \`agentcom agent remove ${agentId} --token <admin token>\``,
      };
    }
    if (registered.state === 'failed') return { ok: false, reason: registered.reason };
    return finish(options, agentId, options.name, registered.token);
  }

  const taken = await takenIds(options);
  if (!taken.ok) return taken;
  for (let attempt = 0; attempt < maxNameTries; attempt += 1) {
    const free = cultureShipNames.filter((shipName) => !taken.value.has(slugOf(shipName)));
    if (free.length === 0) break;
    const shipName = free[Math.floor(Math.random() * free.length)]!;
    const agentId = slugOf(shipName);
    const registered = await register(options.hubUrl, agentId, options.enrollToken);
    if (registered.state === 'failed') return { ok: false, reason: registered.reason };
    if (registered.state === 'taken') {
      // Registered but offline agents are not in GET /api/agents; the 409 is the real check.
      taken.value.add(agentId);
      continue;
    }
    return finish(options, agentId, shipName, registered.token);
  }
  return { ok: false, reason: `no free Culture ship name after ${maxNameTries} tries; give one with --name` };
}

/** The "already done" answer when this agent's config exists and the hub still accepts its token. */
async function existingAgent(options: AddAgentOptions, agentId: string): Promise<AddResult | null> {
  const configPath = configPathOf(options.agentsDir, agentId);
  const read = readAgentConfig(configPath);
  if (read.state === 'missing') return null;
  if (read.state === 'unreadable') {
    return { ok: false, reason: `${configPath} exists but cannot be read (${read.reason}); fix it or run \`agentcom agent remove ${agentId}\`` };
  }
  const { config } = read;
  if (typeof config.token !== 'string') return { ok: false, reason: `${configPath} has no token; run \`agentcom agent remove ${agentId}\` first` };
  const hubUrl = typeof config.hub_api_url === 'string' ? config.hub_api_url.replace(/\/+$/, '') : options.hubUrl;
  // Any agent-scoped route tells a live token (200, or 404 before the first connect) from a dead one (401).
  const probe = await hubRequest(hubUrl, 'GET', `/api/agents/${encodeURIComponent(agentId)}/state`, { token: config.token });
  if (!probe.ok) return { ok: false, reason: probe.reason };
  if (probe.response.status === 401) return null;
  if (probe.response.status !== 200 && probe.response.status !== 404) {
    return { ok: false, reason: `checking the token in ${configPath}: ${describeHubError(probe.response)}` };
  }
  return {
    ok: true,
    value: {
      status: 'exists',
      agent_id: agentId,
      name: typeof config.name === 'string' ? config.name : agentId,
      config_path: configPath,
      hub_api_url: hubUrl,
      hub_ws_url: typeof config.hub_url === 'string' ? config.hub_url : wsUrlOf(hubUrl),
      start: { how: 'not_requested' },
      start_commands: manualStartCommands(agentId, configPath),
    },
  };
}

type Registration = { state: 'registered'; token: string } | { state: 'taken' } | { state: 'failed'; reason: string };

async function register(hubUrl: string, agentId: string, enrollToken?: string): Promise<Registration> {
  const request = enrollToken ? { agent_id: agentId, enrollment_token: enrollToken } : { agent_id: agentId };
  const reach = await hubRequest(hubUrl, 'POST', '/api/onboard/register', { body: request });
  if (!reach.ok) return { state: 'failed', reason: reach.reason };
  const { status, body } = reach.response;
  if (status === 409) return { state: 'taken' };
  if (status !== 201 || typeof body?.token !== 'string') return { state: 'failed', reason: `registering ${agentId}: ${describeHubError(reach.response)}` };
  return { state: 'registered', token: body.token };
}

/** Ids already in use: agents connected to the hub (an {agents:[…]} object, quirk 9) and folders in the agents dir. */
async function takenIds(options: AddAgentOptions): Promise<{ ok: true; value: Set<string> } | { ok: false; reason: string }> {
  const reach = await hubRequest(options.hubUrl, 'GET', '/api/agents');
  if (!reach.ok) return reach;
  const taken = new Set<string>();
  const agents: unknown = reach.response.body?.agents;
  if (reach.response.status === 200 && Array.isArray(agents)) {
    for (const agent of agents) if (typeof agent?.agent_id === 'string') taken.add(agent.agent_id);
  }
  for (const shipName of cultureShipNames) {
    const agentId = slugOf(shipName);
    if (readAgentConfig(configPathOf(options.agentsDir, agentId)).state !== 'missing') taken.add(agentId);
  }
  return { ok: true, value: taken };
}

async function finish(options: AddAgentOptions, agentId: string, name: string, token: string): Promise<AddResult> {
  const configPath = configPathOf(options.agentsDir, agentId);
  const workspace = options.repoDir
    ? { how: 'given', repo_dir: path.resolve(options.repoDir) } as const
    : await cloneDefaultRepo(options.hubUrl, path.join(agentFolderOf(options.agentsDir, agentId), 'repo'));
  const config: AgentSidecarConfig = {
    agent_id: agentId,
    name,
    token,
    hub_url: wsUrlOf(options.hubUrl),
    hub_api_url: options.hubUrl,
    capabilities: options.capabilities,
    ...(options.wakeCommand ? { wake_command: options.wakeCommand } : {}),
    ...(workspace.how === 'given' || workspace.how === 'cloned' ? { repo_dir: workspace.repo_dir } : {}),
    // The CA the CLI trusted the hub with is the one the sidecar needs too.
    ...(process.env[caFileVariable] ? { ca_file: path.resolve(process.env[caFileVariable]) } : {}),
  };
  writeAgentConfig(configPath, config);

  let start: StartOutcome = { how: 'not_requested' };
  if (options.start) {
    const pm2 = findPm2();
    if (!pm2) start = { how: 'no_pm2' };
    else {
      const started = await startUnderPm2(pm2, agentId, configPath);
      start = { how: started.ok ? 'pm2' : 'pm2_failed', pm2_name: pm2NameOf(agentId), output: started.output };
    }
  }
  return {
    ok: true,
    value: {
      status: 'created',
      workspace,
      agent_id: agentId,
      name,
      config_path: configPath,
      hub_api_url: config.hub_api_url,
      hub_ws_url: config.hub_url,
      start,
      start_commands: manualStartCommands(agentId, configPath),
    },
  };
}

/**
 * Clones the hub's default repository (GET /api/config/default-repo) into `target`, as the
 * original onboarding did. A repository already there is kept. A failed clone does not stop
 * the onboarding: the agent is registered by then, so the outcome carries the command to run.
 */
async function cloneDefaultRepo(hubUrl: string, target: string): Promise<WorkspaceOutcome> {
  const asked = await hubRequest(hubUrl, 'GET', '/api/config/default-repo');
  const url = asked.ok && asked.response.status === 200 ? asked.response.body?.default_repo : null;
  if (typeof url !== 'string' || url === '') return { how: 'none' };
  if (existsSync(path.join(target, '.git'))) return { how: 'cloned', repo_dir: target, url };
  const cloned = await new Promise<{ ok: boolean; detail: string }>((resolve) => {
    execFile('git', ['clone', '--quiet', '--', url, target], { timeout: 300_000 }, (error, _stdout, stderr) => {
      resolve({ ok: !error, detail: String(stderr).trim().split('\n').pop() || (error?.message ?? '') });
    });
  });
  if (!cloned.ok) return { how: 'clone_failed', url, detail: cloned.detail, command: `git clone ${url} ${target}` };
  return { how: 'cloned', repo_dir: target, url };
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
